using System.Runtime.InteropServices;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.Vlan;

/// <summary>
/// Puts a host's interface on one 802.1Q VLAN of a trunk without the kernel's VLAN devices (a kernel
/// without the 8021q module): two tcx programs make the interface itself behave as its VLAN
/// subinterface would — every frame the host sends leaves tagged, and a frame that arrives tagged with
/// the VLAN has its tag taken off before the host's stack sees it. The programs stay attached while
/// this object lives (BPF links; closing them, or the process ending, detaches them).
/// </summary>
/// <remarks>
/// <para>In pseudo-C (<c>struct __sk_buff *skb</c>):</para>
/// <code>
/// egress:  if (!skb->vlan_present &amp;&amp; data + 14 &lt;= data_end &amp;&amp; eth->h_proto != htons(0x8100) &amp;&amp; eth->h_proto != htons(0x88a8))
///              bpf_skb_vlan_push(skb, htons(0x8100), VLAN);      // the tag goes to the packet's metadata
///          return TCX_PASS;
/// ingress: if (skb->vlan_present &amp;&amp; (skb->vlan_tci &amp; 0xfff) == VLAN)
///              bpf_skb_vlan_pop(skb);                            // the receive path moved the tag there
///          return TCX_PASS;
/// </code>
/// <para>
/// Frames already tagged in the frame (a packet socket's own tagged frames, such as lvsnetd's on the same
/// interface) leave unchanged; frames tagged with another VLAN arrive unchanged, and the host's stack
/// drops them as it does without a VLAN device. Packet sockets see received frames before tcx ingress:
/// they still see the tag (as metadata, which libpcap and the AF_PACKET ring report).
/// </para>
/// <para>Needs Linux 6.6+ (tcx) and CAP_BPF with CAP_NET_ADMIN.</para>
/// </remarks>
public sealed class TcxVlanPort : IDisposable
{
    // struct __sk_buff offsets (linux/bpf.h).
    private const short SkbVlanPresent = 20;
    private const short SkbVlanTci = 24;
    private const short SkbData = 76;
    private const short SkbDataEnd = 80;

    // Helper numbers (BPF_FUNC_skb_vlan_push, BPF_FUNC_skb_vlan_pop).
    private const int VlanPush = 18;
    private const int VlanPop = 19;

    // EtherTypes as a little-endian load of the big-endian field reads them.
    private const int EtherTypeVlanLittleEndian = 0x0081;
    private const int EtherTypeServiceVlanLittleEndian = 0xA888;

    private const int TcxPass = 0;

    private readonly FileDescriptorHandle[] _handles;

    private TcxVlanPort(string interfaceName, ushort vlan, FileDescriptorHandle[] handles)
    {
        InterfaceName = interfaceName;
        Vlan = vlan;
        _handles = handles;
    }

    /// <summary>The interface.</summary>
    public string InterfaceName { get; }

    /// <summary>The VLAN id.</summary>
    public ushort Vlan { get; }

    /// <summary>Attaches the two programs to <paramref name="interfaceName"/> (in the calling thread's network namespace).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vlan"/> is not 1–4094.</exception>
    /// <exception cref="XdpException">The interface does not exist, or the kernel refused a program or a link.</exception>
    public static TcxVlanPort Attach(string interfaceName, ushort vlan)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(interfaceName);
        ArgumentOutOfRangeException.ThrowIfZero(vlan);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vlan, (ushort)4094);
        var index = Interop.Libc.if_nametoindex(interfaceName);
        if (index == 0)
        {
            throw XdpException.FromErrno($"if_nametoindex('{interfaceName}')", Marshal.GetLastPInvokeError());
        }

        var handles = new List<FileDescriptorHandle>(4);
        try
        {
            var egress = BpfSystem.LoadProgram(EgressProgram(vlan), "lvs_vlan_tag", Interop.Bpf.BPF_PROG_TYPE_SCHED_CLS, Interop.Bpf.BPF_TCX_EGRESS);
            handles.Add(egress);
            var ingress = BpfSystem.LoadProgram(IngressProgram(vlan), "lvs_vlan_untag", Interop.Bpf.BPF_PROG_TYPE_SCHED_CLS, Interop.Bpf.BPF_TCX_INGRESS);
            handles.Add(ingress);
            handles.Add(BpfSystem.CreateLink(egress, (int)index, Interop.Bpf.BPF_TCX_EGRESS, 0, $"tcx egress on '{interfaceName}'"));
            handles.Add(BpfSystem.CreateLink(ingress, (int)index, Interop.Bpf.BPF_TCX_INGRESS, 0, $"tcx ingress on '{interfaceName}'"));
            return new TcxVlanPort(interfaceName, vlan, [.. handles]);
        }
        catch
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }

            throw;
        }
    }

    /// <summary>The transmit program: tags every frame not tagged yet.</summary>
    internal static BpfInstruction[] EgressProgram(ushort vlan) => Program((asm, pass) =>
    {
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R2, 0, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, SkbData));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R3, BpfRegister.R6, SkbDataEnd));
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R4, BpfRegister.R2));
        asm.Emit(BpfInstruction.AddImmediate(BpfRegister.R4, 14));
        asm.Emit(BpfInstruction.JumpIfGreater(BpfRegister.R4, BpfRegister.R3, 0), pass);
        asm.Emit(BpfInstruction.LoadHalfWord(BpfRegister.R4, BpfRegister.R2, 12));
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R4, EtherTypeVlanLittleEndian, 0), pass);
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R4, EtherTypeServiceVlanLittleEndian, 0), pass);
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R1, BpfRegister.R6));
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R2, EtherTypeVlanLittleEndian));
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R3, vlan));
        asm.Emit(BpfInstruction.Call(VlanPush));
    });

    /// <summary>The receive program: takes the VLAN's tag off.</summary>
    internal static BpfInstruction[] IngressProgram(ushort vlan) => Program((asm, pass) =>
    {
        asm.Emit(BpfInstruction.JumpIfEqual(BpfRegister.R2, 0, 0), pass);
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, SkbVlanTci));
        asm.Emit(BpfInstruction.AndImmediate(BpfRegister.R2, 0x0FFF));
        asm.Emit(BpfInstruction.JumpIfNotEqual(BpfRegister.R2, vlan, 0), pass);
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R1, BpfRegister.R6));
        asm.Emit(BpfInstruction.Call(VlanPop));
    });

    // r6 = skb and r2 = skb->vlan_present on entry to the body; every path ends at "pass": return TCX_PASS.
    private static BpfInstruction[] Program(Action<BpfAssembler, int> body)
    {
        var asm = new BpfAssembler();
        var pass = asm.DefineLabel();
        asm.Emit(BpfInstruction.MovRegister(BpfRegister.R6, BpfRegister.R1));
        asm.Emit(BpfInstruction.LoadWord(BpfRegister.R2, BpfRegister.R6, SkbVlanPresent));
        body(asm, pass);
        asm.Mark(pass);
        asm.Emit(BpfInstruction.MovImmediate(BpfRegister.R0, TcxPass));
        asm.Emit(BpfInstruction.Exit());
        return asm.ToArray();
    }

    /// <summary>Detaches both programs.</summary>
    public void Dispose()
    {
        for (var i = _handles.Length - 1; i >= 0; i--)
        {
            _handles[i].Dispose();
        }
    }
}
