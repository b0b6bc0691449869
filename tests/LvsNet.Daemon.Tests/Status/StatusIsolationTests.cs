using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Daemon.Tests.Status;

/// <summary>
/// The status page must cost the data path nothing: it reads the counters (volatile loads) and
/// never asks a capture thread to do work. A source scan of the page's room and of the handler
/// methods it calls keeps it that way.
/// </summary>
public class StatusIsolationTests
{
    // What puts work on a capture thread or walks its connection table.
    private static readonly Regex CaptureThreadWork = new(@"\b(InvokeAsync|ListConnections|ListConnectionsAsync|VisitConnections|ConnectionQuery)\b", RegexOptions.CultureInvariant);

    private static string Source(params string[] parts) => Path.Combine([TestEnvironment.RepositoryRoot, "src", "LvsNet.Daemon", .. parts]);

    [Fact]
    public void StatusRoom_PutsNoWorkOnCaptureThreads()
    {
        var files = Directory.GetFiles(Source("Status"), "*.cs");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var match = CaptureThreadWork.Match(File.ReadAllText(file));
            Assert.False(match.Success, $"{Path.GetFileName(file)} uses {match.Value}");
        }
    }

    [Theory]
    [InlineData("public ControlResponse List(")]
    [InlineData("public DaemonStatus Status(")]
    public void HandlerMethodsThePageCalls_PutNoWorkOnCaptureThreads(string signature)
    {
        var text = File.ReadAllText(Source("Control", "ControlRequestHandler.cs"));
        var start = text.IndexOf(signature, StringComparison.Ordinal);
        Assert.True(start >= 0, signature);

        // The method's body: up to the next member's documentation comment.
        var end = text.IndexOf("    /// <summary>", start, StringComparison.Ordinal);
        var body = text[start..(end < 0 ? text.Length : end)];
        Assert.DoesNotMatch(CaptureThreadWork, body);
    }
}
