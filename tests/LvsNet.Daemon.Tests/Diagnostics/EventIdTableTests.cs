using System.Reflection;
using System.Text.RegularExpressions;
using LvsNet.Core.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Daemon.Tests.Diagnostics;

/// <summary>Event ids come from one table (EventIds), are all used, never literal, and match docs/operations.md.</summary>
public class EventIdTableTests
{
    private static readonly Dictionary<string, int> Table = typeof(EventIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    private static IEnumerable<(string File, string Text)> Sources() =>
        Directory.EnumerateFiles(Path.Combine(TestEnvironment.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(TestEnvironment.RepositoryRoot, f), File.ReadAllText(f)));

    [Fact]
    public void Table_HasNoDuplicateIds()
    {
        Assert.True(Table.Count > 40, $"only {Table.Count} constants found in EventIds");
        var duplicates = Table.GroupBy(p => p.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => p.Key))}").ToList();
        Assert.True(duplicates.Count == 0, "duplicate event ids: " + string.Join("; ", duplicates));
    }

    [Fact]
    public void EveryLoggerMessage_NamesItsIdFromTheTable()
    {
        var attributes = Sources().SelectMany(s => EventIdScan.LoggerMessages(s.File, s.Text)).ToList();
        Assert.True(attributes.Count > 40, $"only {attributes.Count} [LoggerMessage] attributes found under src/");
        var problems = attributes.SelectMany(EventIdScan.Problems).ToList();
        problems.AddRange(attributes.Select(EventIdScan.ConstantName).OfType<string>().Where(n => !Table.ContainsKey(n)).Select(n => $"EventIds.{n} does not exist"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void EveryId_IsUsed()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, text) in Sources())
        {
            if (file.EndsWith("EventIds.cs", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match match in Regex.Matches(text, @"\bEventIds\.(\w+)"))
            {
                used.Add(match.Groups[1].Value);
            }
        }

        var unused = Table.Keys.Where(name => !used.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unused.Count == 0, "event ids no code uses (reserve them in a comment instead): " + string.Join(", ", unused));
    }

    [Fact]
    public void OperationsGuide_ListsExactlyTheTable()
    {
        var (rows, reserved) = EventIdScan.OperationsTable(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "operations.md")));
        var documented = rows.Select(r => $"{r.Id} {r.Name}").Order(StringComparer.Ordinal).ToList();
        var expected = Table.Select(p => $"{p.Value} {p.Key}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, documented);
        foreach (var (first, last) in reserved)
        {
            Assert.DoesNotContain(Table, p => p.Value >= first && p.Value <= last);
        }
    }

    [Theory]
    [InlineData("[LoggerMessage(EventId = 301, EventName = \"DataPathError\", Level = LogLevel.Error, Message = \"x\")]", "not a constant of EventIds")]
    [InlineData("[LoggerMessage(EventId = EventIds.Started, EventName = \"Started\", Level = LogLevel.Information, Message = \"x\")]", "EventName")]
    [InlineData("[LoggerMessage(EventId = EventIds.Started, EventName = nameof(EventIds.Stopped), Message = \"a (b) c\")]", "EventName")]
    [InlineData("[LoggerMessage(Level = LogLevel.Information, Message = \"x\")]", "without EventId")]
    [InlineData("[LoggerMessage(\n    EventId = 7,\n    Message = \"multi-line\")]", "not a constant of EventIds")]
    public void Scan_FindsWhatTheRuleForbids(string source, string problem)
    {
        var attribute = Assert.Single(EventIdScan.LoggerMessages("x.cs", "class A {\n" + source + "\npublic static partial void M(ILogger l);\n}"));
        Assert.Contains(EventIdScan.Problems(attribute), p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_AcceptsTheRule()
    {
        var attribute = Assert.Single(EventIdScan.LoggerMessages("x.cs", "[LoggerMessage(EventId = EventIds.Started, EventName = nameof(EventIds.Started), Level = LogLevel.Information, Message = \"Started on {Interface} (x)\")]"));
        Assert.Empty(EventIdScan.Problems(attribute));
        Assert.Equal("Started", EventIdScan.ConstantName(attribute));
    }
}
