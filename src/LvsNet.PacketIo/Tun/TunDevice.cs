using System.Runtime.InteropServices;
using System.Text;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo.Tun;

/// <summary>
/// A layer-3 TUN device (/dev/net/tun, IFF_TUN | IFF_NO_PI): packets written to it are received
/// by the local IP stack as if they had arrived on the interface <see cref="Name"/>. The
/// real-server decapsulator writes the inner packets of IPIP frames here on hosts without the
/// kernel's ipip module.
/// </summary>
/// <remarks>The device exists while the descriptor is open (it is not persistent). One writer thread.</remarks>
public sealed class TunDevice : IDisposable
{
    private readonly TunHandle _handle;

    private TunDevice(TunHandle handle, string name)
    {
        _handle = handle;
        Name = name;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>Packets the kernel refused.</summary>
    public long WriteFailures { get; private set; }

    /// <summary>Creates (or attaches to) the TUN interface <paramref name="name"/>.</summary>
    /// <exception cref="PcapException">/dev/net/tun is missing or the kernel refused (needs CAP_NET_ADMIN).</exception>
    public static unsafe TunDevice Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var nameBytes = Encoding.ASCII.GetBytes(name);
        if (nameBytes.Length >= Interop.Libc.IFNAMSIZ)
        {
            throw new ArgumentException($"interface name '{name}' is longer than {Interop.Libc.IFNAMSIZ - 1} characters", nameof(name));
        }

        var fd = Interop.Libc.open("/dev/net/tun", Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw PcapException.FromErrno("open /dev/net/tun", Marshal.GetLastPInvokeError());
        }

        var handle = new TunHandle();
        handle.Adopt(fd);
        var request = default(Interop.Libc.IfReq);
        for (var i = 0; i < nameBytes.Length; i++)
        {
            request.Name[i] = nameBytes[i];
        }

        request.Flags = Interop.Libc.IFF_TUN | Interop.Libc.IFF_NO_PI;
        if (Interop.Libc.ioctl(handle, Interop.Libc.TUNSETIFF, &request) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw PcapException.FromErrno($"ioctl TUNSETIFF {name}", errno);
        }

        return new TunDevice(handle, name);
    }

    /// <summary>Hands one IP packet to the kernel; false (counted) when it refused it.</summary>
    public unsafe bool Write(ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet)
        {
            while (true)
            {
                var written = Interop.Libc.write(_handle, p, (nuint)packet.Length);
                if (written >= 0)
                {
                    return true;
                }

                if (Marshal.GetLastPInvokeError() != Interop.Libc.EINTR)
                {
                    WriteFailures++;
                    return false;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
