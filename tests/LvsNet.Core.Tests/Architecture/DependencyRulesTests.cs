using System.Text.RegularExpressions;
using System.Xml.Linq;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Architecture;

/// <summary>
/// The structure rules of the source tree, checked on the sources themselves so that a change that
/// breaks one fails here: which project may reference which, no cycle between the rooms of a
/// project (its root namespace and each first-level folder, with everything below it), and no
/// data-path room that depends on the control plane.
/// </summary>
public partial class DependencyRulesTests
{
    private static readonly string Source = Path.Combine(TestEnvironment.RepositoryRoot, "src");

    /// <summary>Each project and the projects it may reference: nothing depends on Daemon or Cli; Core knows no control code.</summary>
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "LvsNet.Packets", [] },
        { "LvsNet.PacketIo", [] },
        { "LvsNet.Core", ["LvsNet.Packets", "LvsNet.PacketIo"] },
        { "LvsNet.Control", ["LvsNet.Core"] },
        { "LvsNet.Cli", ["LvsNet.Control"] },
        { "LvsNet.Daemon", ["LvsNet.Control"] },
        { "LvsNet.RealServer", ["LvsNet.Packets", "LvsNet.PacketIo"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void ProjectReferences_AreTheAllowedOnes(string project, string[] allowed)
    {
        var file = Path.Combine(Source, project, project + ".csproj");
        var references = XDocument.Load(file).Descendants("ProjectReference")
            .Select(element => Path.GetFileNameWithoutExtension(element.Attribute("Include")!.Value.Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(allowed.Order(StringComparer.Ordinal), references);
    }

    [Fact]
    public void EveryProject_IsCovered()
    {
        var listed = AllowedReferences.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(Directory.GetDirectories(Source).Select(Path.GetFileName), project => Assert.Contains(project!, listed));
    }

    [Fact]
    public void Rooms_FormNoCycle()
    {
        var graph = RoomGraph();
        var cycles = StronglyConnected(graph).Where(component => component.Count > 1).Select(component => string.Join(" <-> ", component.Order(StringComparer.Ordinal))).ToList();
        Assert.True(cycles.Count == 0, "namespace cycles between rooms:\n" + string.Join("\n", cycles) + "\n" + Explain(graph, cycles));
    }

    [Theory]
    [InlineData("LvsNet.Core.DataPath")]
    [InlineData("LvsNet.Core.Connections")]
    [InlineData("LvsNet.Core.Scheduling")]
    [InlineData("LvsNet.Core.Neighbours")]
    [InlineData("LvsNet.Core.Hashing")]
    public void DataPathRooms_DoNotDependOnTheControlPlane(string room)
    {
        var graph = RoomGraph();
        // The runtime (snapshots) is what the data path reads by design; health checking and feedback are not.
        var forbidden = new[] { "LvsNet.Core.Health", "LvsNet.Core.Feedback" };
        var reached = graph.TryGetValue(room, out var targets) ? targets.Keys.Intersect(forbidden, StringComparer.Ordinal).ToList() : [];
        Assert.True(reached.Count == 0, $"{room} depends on {string.Join(", ", reached)}: {string.Join("; ", reached.Select(target => targets![target]))}");
    }

    [Fact]
    public void Scanner_SeesAKnownDependency()
    {
        // The data path reads the runtime's real-server state: the scanner must see that edge, or it proves nothing.
        var graph = RoomGraph();
        Assert.Contains("LvsNet.Core", graph["LvsNet.Core.DataPath"].Keys);
        Assert.Contains("LvsNet.Core.Configuration", graph["LvsNet.Core.Scheduling"].Keys);
    }

    /// <summary>The room of a namespace: the project's root namespace, or its first-level folder.</summary>
    private static string Room(string ns)
    {
        var parts = ns.Split('.');
        return string.Join('.', parts.Take(Math.Min(parts.Length, 3)));
    }

    /// <summary>Room -> rooms it uses, each with one example (file and type) for the failure message.</summary>
    private static Dictionary<string, Dictionary<string, string>> RoomGraph()
    {
        var files = Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                // Interop is the native boundary: its imports name the SafeHandles of every backend by design.
                && !path.Contains($"{Path.DirectorySeparatorChar}Interop{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => (Path: path, Code: StripCommentsAndStrings(File.ReadAllText(path))))
            .ToList();

        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var parsed = new List<(string Path, string Namespace, HashSet<string> Usings, HashSet<string> Identifiers)>();
        foreach (var (path, code) in files)
        {
            var ns = NamespacePattern().Match(code);
            if (!ns.Success)
            {
                continue;
            }

            foreach (Match type in TypePattern().Matches(code))
            {
                if (!declared.TryGetValue(type.Groups[1].Value, out var namespaces))
                {
                    declared[type.Groups[1].Value] = namespaces = new HashSet<string>(StringComparer.Ordinal);
                }

                namespaces.Add(ns.Groups[1].Value);
            }

            var usings = UsingPattern().Matches(code).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            var identifiers = IdentifierPattern().Matches(code).Select(match => match.Value).ToHashSet(StringComparer.Ordinal);
            parsed.Add((path, ns.Groups[1].Value, usings, identifiers));
        }

        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (path, ns, usings, identifiers) in parsed)
        {
            foreach (var identifier in identifiers)
            {
                if (!declared.TryGetValue(identifier, out var namespaces))
                {
                    continue;
                }

                foreach (var target in namespaces)
                {
                    // A type is visible by a using, or from an enclosing namespace.
                    var visible = usings.Contains(target) || ns.StartsWith(target + ".", StringComparison.Ordinal);
                    var (from, to) = (Room(ns), Room(target));
                    if (!visible || from == to)
                    {
                        continue;
                    }

                    if (!graph.TryGetValue(from, out var edges))
                    {
                        graph[from] = edges = new Dictionary<string, string>(StringComparer.Ordinal);
                    }

                    edges.TryAdd(to, $"{Path.GetRelativePath(Source, path)} uses {identifier}");
                }
            }
        }

        return graph;
    }

    private static string Explain(Dictionary<string, Dictionary<string, string>> graph, List<string> cycles)
    {
        var rooms = cycles.SelectMany(cycle => cycle.Split(" <-> ")).ToHashSet(StringComparer.Ordinal);
        return string.Join("\n", graph.Where(pair => rooms.Contains(pair.Key))
            .SelectMany(pair => pair.Value.Where(edge => rooms.Contains(edge.Key)).Select(edge => $"{pair.Key} -> {edge.Key}: {edge.Value}")));
    }

    /// <summary>Tarjan's algorithm over the room graph.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        var next = 0;

        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in graph.TryGetValue(node, out var edges) ? edges.Keys : Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(target, out var targetIndex))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                {
                    low[node] = Math.Min(low[node], targetIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                result.Add(component);
            }
        }

        foreach (var node in graph.Keys.ToList())
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return result;
    }

    private static string StripCommentsAndStrings(string code) => CommentOrStringPattern().Replace(code, " ");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
    private static partial Regex CommentOrStringPattern();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^using ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingPattern();

    [GeneratedRegex(@"^(?:public|internal)\s+(?:(?:static|sealed|abstract|readonly|unsafe|ref|partial|record)\s+)*(?:class|struct|interface|enum|record)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypePattern();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex IdentifierPattern();
}
