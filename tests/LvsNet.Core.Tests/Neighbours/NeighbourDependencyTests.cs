using System.Reflection;
using LvsNet.Core.Neighbours;
using Xunit;

namespace LvsNet.Core.Tests.Neighbours;

/// <summary>The neighbour code must not depend on the data path that uses it (issue 12: no namespace cycles).</summary>
public class NeighbourDependencyTests
{
    [Fact]
    public void NeighbourTypes_ReferenceNoDataPathType()
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var types = typeof(NeighbourTable).Assembly.GetTypes().Where(t => t.Namespace == typeof(NeighbourTable).Namespace).ToList();
        Assert.NotEmpty(types);
        var referenced = new List<Type>();
        foreach (var type in types)
        {
            referenced.AddRange(type.GetInterfaces());
            referenced.AddRange(type.GetFields(All).Select(f => f.FieldType));
            referenced.AddRange(type.GetProperties(All).Select(p => p.PropertyType));
            referenced.AddRange(type.GetEvents(All).Select(e => e.EventHandlerType!));
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                referenced.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo info)
                {
                    referenced.Add(info.ReturnType);
                }
            }
        }

        var dataPath = referenced.Select(t => t.IsByRef || t.IsArray ? t.GetElementType()! : t)
            .SelectMany(t => t.IsGenericType ? t.GetGenericArguments().Append(t) : [t])
            .Where(t => t.Namespace == "LvsNet.Core.DataPath")
            .Select(t => t.Name)
            .Distinct()
            .ToList();
        Assert.True(dataPath.Count == 0, "Neighbours uses DataPath types: " + string.Join(", ", dataPath));
    }

    [Fact]
    public void NeighbourSources_NameNoDataPathNamespace()
    {
        var folder = Path.Combine(Testing.TestEnvironment.RepositoryRoot, "src", "LvsNet.Core", "Neighbours");
        var offenders = Directory.GetFiles(folder, "*.cs")
            .Where(f => File.ReadAllText(f).Contains("LvsNet.Core.DataPath", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();
        Assert.Empty(offenders);
    }
}
