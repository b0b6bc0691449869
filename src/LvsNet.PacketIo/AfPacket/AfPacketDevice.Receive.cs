using System.Buffers.Binary;
using System.Diagnostics;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>Receiving: walking the TPACKET_V2 or TPACKET_V3 ring in place.</summary>
public sealed unsafe partial class AfPacketDevice
{
    // Offsets inside struct tpacket_block_desc (version, offset_to_priv, then struct tpacket_hdr_v1).
    private const int BlockStatusOffset = 8;
    private const int BlockPacketCountOffset = 12;
    private const int BlockFirstPacketOffset = 16;

    // Offsets inside struct tpacket3_hdr (48 bytes, followed by struct sockaddr_ll).
    private const int FrameNextOffset = 0;
    private const int FrameSnapLengthOffset = 12;
    private const int FrameLengthOffset = 16;
    private const int FrameStatusOffset = 20;
    private const int FrameMacOffset = 24;
    private const int FrameVlanTciOffset = 32;
    private const int FrameVlanTpidOffset = 36;
    private const int FrameHeaderLength = 48;
    private const int SockAddrPacketTypeOffset = 10;

    // Offsets inside struct tpacket2_hdr (32 bytes, followed by struct sockaddr_ll at TPACKET_ALIGN(32)).
    private const int SlotStatusOffset = 0;
    private const int SlotLengthOffset = 4;
    private const int SlotSnapLengthOffset = 8;
    private const int SlotMacOffset = 12;
    private const int SlotVlanTciOffset = 24;
    private const int SlotVlanTpidOffset = 26;
    private const int SlotHeaderLength = 32;

    private const int VlanTagLength = 4;
    private const ushort Ieee8021QTpid = 0x8100;

    /// <inheritdoc/>
    /// <remarks>
    /// Walks the ring from the current position; each frame is handed to <paramref name="handler"/> as a span
    /// into the ring, valid during the call only. TPACKET_V2: a slot goes back to the kernel after its
    /// frame's handler returns. TPACKET_V3: a block goes back to the kernel once all its frames have
    /// been handed over. Nothing is allocated. An exception thrown by the handler propagates; the frame
    /// counts as consumed.
    /// </remarks>
    public int Dispatch(IFrameHandler handler, int maxFrames)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var added = false;
        try
        {
            _ring.DangerousAddRef(ref added);
            var ring = _ring.Address;
            if (_perFrameRing)
            {
                return DispatchSlots(ring, handler, maxFrames);
            }

            var count = 0;
            while (count < maxFrames)
            {
                var block = ring + ((long)_block * _blockSize);
                if (_framesLeft == 0)
                {
                    // Acquire: the frames are visible once the kernel's status store is.
                    if ((Volatile.Read(ref *(uint*)(block + BlockStatusOffset)) & Interop.Libc.TP_STATUS_USER) == 0)
                    {
                        break;
                    }

                    _framesLeft = *(int*)(block + BlockPacketCountOffset);
                    _frameOffset = *(int*)(block + BlockFirstPacketOffset);
                    if (_framesLeft == 0)
                    {
                        ReleaseBlock(block);
                        continue;
                    }
                }

                var frame = block + _frameOffset;
                var next = *(int*)(frame + FrameNextOffset);
                var snapLength = *(int*)(frame + FrameSnapLengthOffset);
                var wireLength = *(int*)(frame + FrameLengthOffset);
                var mac = *(ushort*)(frame + FrameMacOffset);
                var packetType = frame[FrameHeaderLength + SockAddrPacketTypeOffset];

                // Advance first, so a handler that throws does not see the frame again.
                _frameOffset += next;
                if (--_framesLeft == 0)
                {
                    ReleaseBlock(block);
                }

                if (packetType == Interop.Libc.PACKET_OUTGOING)
                {
                    continue;
                }

                count++;
                var status = *(uint*)(frame + FrameStatusOffset);
                if ((status & Interop.Libc.TP_STATUS_VLAN_VALID) != 0)
                {
                    var tpid = (status & Interop.Libc.TP_STATUS_VLAN_TPID_VALID) != 0 ? *(ushort*)(frame + FrameVlanTpidOffset) : (ushort)0;
                    handler.OnFrame(WithVlanTag(frame + mac, snapLength, *(ushort*)(frame + FrameVlanTciOffset), tpid), wireLength + VlanTagLength);
                    continue;
                }

                handler.OnFrame(new ReadOnlySpan<byte>(frame + mac, snapLength), wireLength);
            }

            return count;
        }
        finally
        {
            if (added)
            {
                _ring.DangerousRelease();
            }
        }
    }

    /// <summary>TPACKET_V2: hands over every ready slot from the current one, up to <paramref name="maxFrames"/>.</summary>
    private int DispatchSlots(byte* ring, IFrameHandler handler, int maxFrames)
    {
        var count = 0;
        while (count < maxFrames)
        {
            var slot = ring + ((long)_block * _blockSize) + _frameOffset;

            // Acquire: the frame's bytes are visible once the kernel's status store is.
            if ((Volatile.Read(ref *(uint*)(slot + SlotStatusOffset)) & Interop.Libc.TP_STATUS_USER) == 0)
            {
                break;
            }

            AdvanceSlot();
            var packetType = slot[SlotHeaderLength + SockAddrPacketTypeOffset];
            try
            {
                if (packetType == Interop.Libc.PACKET_OUTGOING)
                {
                    continue;
                }

                count++;
                var snapLength = *(int*)(slot + SlotSnapLengthOffset);
                var wireLength = *(int*)(slot + SlotLengthOffset);
                var mac = *(ushort*)(slot + SlotMacOffset);
                var status = *(uint*)(slot + SlotStatusOffset);
                if ((status & Interop.Libc.TP_STATUS_VLAN_VALID) != 0)
                {
                    var tpid = (status & Interop.Libc.TP_STATUS_VLAN_TPID_VALID) != 0 ? *(ushort*)(slot + SlotVlanTpidOffset) : (ushort)0;
                    handler.OnFrame(WithVlanTag(slot + mac, snapLength, *(ushort*)(slot + SlotVlanTciOffset), tpid), wireLength + VlanTagLength);
                    continue;
                }

                handler.OnFrame(new ReadOnlySpan<byte>(slot + mac, snapLength), wireLength);
            }
            finally
            {
                // Release: the slot goes back only after the handler has read it, even when it threw.
                Volatile.Write(ref *(uint*)(slot + SlotStatusOffset), Interop.Libc.TP_STATUS_KERNEL);
            }
        }

        return count;
    }

    /// <summary>
    /// The frame with its 802.1Q tag put back where it was on the wire, in a buffer of the device's.
    /// </summary>
    /// <remarks>
    /// The kernel takes a received frame's tag out into the ring header before any packet socket
    /// sees it (TP_STATUS_VLAN_VALID, tp_vlan_tci); libpcap puts it back, and so does this, so that
    /// the data path sees what the wire carried and refuses a tagged frame as it does on the other
    /// backends. Tagged frames are not the director's traffic, so one copy for them costs nothing
    /// that matters, and nothing is allocated.
    /// </remarks>
    private ReadOnlySpan<byte> WithVlanTag(byte* frame, int snapLength, ushort tci, ushort tpid)
    {
        var source = new ReadOnlySpan<byte>(frame, Math.Min(snapLength, _vlanFrame.Length - VlanTagLength));
        if (source.Length < 2 * 6)
        {
            return source;
        }

        var target = _vlanFrame.AsSpan(0, source.Length + VlanTagLength);
        source[..12].CopyTo(target);
        BinaryPrimitives.WriteUInt16BigEndian(target[12..], tpid != 0 ? tpid : Ieee8021QTpid);
        BinaryPrimitives.WriteUInt16BigEndian(target[14..], tci);
        source[12..].CopyTo(target[16..]);
        return target;
    }

    private void AdvanceSlot()
    {
        _frameOffset += _frameSize;
        if (--_framesLeft == 0)
        {
            _framesLeft = _framesPerBlock;
            _frameOffset = 0;
            _block = _block + 1 == _blockCount ? 0 : _block + 1;
        }
    }

    /// <summary>The busy-poll phase of <see cref="Wait"/>: whether a frame became readable before it ended.</summary>
    private bool BusyPollRing(byte* ring)
    {
        var deadline = BusyPoll.Deadline(_busyPollTicks);
        do
        {
            if (IsReadable(ring))
            {
                return true;
            }
        }
        while (!BusyPoll.Expired(deadline));
        return false;
    }

    /// <summary>Whether <see cref="Dispatch"/> would hand over a frame now (the current slot or block is in user space).</summary>
    private bool IsReadable(byte* ring)
    {
        var block = ring + ((long)_block * _blockSize);
        if (_perFrameRing)
        {
            return (Volatile.Read(ref *(uint*)(block + _frameOffset + SlotStatusOffset)) & Interop.Libc.TP_STATUS_USER) != 0;
        }

        return _framesLeft > 0 || (Volatile.Read(ref *(uint*)(block + BlockStatusOffset)) & Interop.Libc.TP_STATUS_USER) != 0;
    }

    private void ReleaseBlock(byte* block)
    {
        // Release: everything read from the block happens before the kernel may refill it.
        Volatile.Write(ref *(uint*)(block + BlockStatusOffset), Interop.Libc.TP_STATUS_KERNEL);
        _framesLeft = 0;
        _block = _block + 1 == _blockCount ? 0 : _block + 1;
    }
}
