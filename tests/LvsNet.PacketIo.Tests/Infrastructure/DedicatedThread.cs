using System.Runtime.ExceptionServices;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>
/// Runs code on a new OS thread that exits afterwards. Used for per-thread state changes (setns,
/// capset) that must never leak into a thread-pool thread.
/// </summary>
internal static class DedicatedThread
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="action"/> on a dedicated thread and returns its result or rethrows its exception.</summary>
    public static T Run<T>(string name, Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };

        thread.Start();
        if (!thread.Join(Limit))
        {
            throw new TimeoutException($"Thread '{name}' did not finish within {Limit}.");
        }

        failure?.Throw();
        return result;
    }
}
