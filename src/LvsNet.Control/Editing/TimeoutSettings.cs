namespace LvsNet.Control.Editing;

/// <summary>The three timeouts of <c>ipvsadm --set</c> and <c>ipvsadm -L --timeout</c>, in whole seconds.</summary>
/// <param name="Tcp">The TCP ESTABLISHED timeout (0 = unchanged when setting).</param>
/// <param name="TcpFin">The TCP FIN_WAIT timeout (0 = unchanged when setting).</param>
/// <param name="Udp">The UDP timeout (0 = unchanged when setting).</param>
public sealed record TimeoutSettings(int Tcp, int TcpFin, int Udp);
