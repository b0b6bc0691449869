using System.Diagnostics;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>The Wait/Dispatch loop a capture thread runs, bounded in time for tests.</summary>
internal static class CaptureLoop
{
    /// <summary>Waits and dispatches until <paramref name="done"/> returns true or <paramref name="limit"/> passes.</summary>
    /// <returns>Whether <paramref name="done"/> became true.</returns>
    public static bool ReceiveUntil(ICaptureDevice device, IFrameHandler handler, Func<bool> done, TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!done())
        {
            if (stopwatch.Elapsed > limit)
            {
                return false;
            }

            if (device.Wait(TimeSpan.FromMilliseconds(200)) != WaitResult.Timeout)
            {
                device.Dispatch(handler, 64);
            }
        }

        return true;
    }
}
