using LvsNet.Cli.Import;
using Xunit;

namespace LvsNet.Cli.Tests.Import;

public class RestoreReaderTests
{
    [Fact]
    public void Read_SkipsCommentsBlankLinesAndTheProgramName()
    {
        var lines = RestoreReader.Read(new StringReader("# saved\n\n-A -t 10.0.0.1:80 -s rr\nipvsadm -a -t 10.0.0.1:80 -r 10.0.0.11  # first\n\t\n-C\n"));
        Assert.Equal([3, 4, 6], lines.Select(l => l.Line));
        Assert.Equal(["-a", "-t", "10.0.0.1:80", "-r", "10.0.0.11"], lines[1].Args);
    }
}
