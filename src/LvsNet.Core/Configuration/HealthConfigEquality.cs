using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>Value equality of the immutable arrays inside health configuration records (records compare arrays by reference).</summary>
internal static class HealthConfigEquality
{
    /// <summary>Element-wise equality; a default array equals an empty one.</summary>
    public static bool SequenceEqual<T>(ImmutableArray<T> a, ImmutableArray<T> b)
    {
        if (a.IsDefaultOrEmpty || b.IsDefaultOrEmpty)
        {
            return a.IsDefaultOrEmpty && b.IsDefaultOrEmpty;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < a.Length; i++)
        {
            if (!comparer.Equals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
