using LvsNet.Cli.Admin;
using LvsNet.Control.Protocol;


// lvsnetadm: ipvsadm's command line for lvsnetd. Everything but the console lives in
// LvsNet.Core.Control.AdminRunner, so it is tested without a process.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var runner = new AdminRunner(Console.In, Console.Out, Console.Error) { Terminal = new LvsNet.Cli.Top.ConsoleTopTerminal() };
try
{
    return await runner.RunAsync(args, Environment.GetEnvironmentVariable(ControlProtocol.SocketEnvironmentVariable), cancel.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    return 130;
}
