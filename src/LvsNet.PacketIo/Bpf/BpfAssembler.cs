namespace LvsNet.PacketIo.Bpf;

/// <summary>Collects <see cref="BpfInstruction"/>s and resolves jumps to labels placed later.</summary>
/// <remarks>Open-time only: the program is assembled once per device, so the lists here are not a hot-path concern.</remarks>
internal sealed class BpfAssembler
{
    private readonly List<BpfInstruction> _instructions = [];
    private readonly List<int> _labelPositions = [];
    private readonly List<(int Instruction, int Label)> _fixups = [];

    /// <summary>The number of instructions so far (a 64-bit immediate load counts as two).</summary>
    public int Count => _instructions.Count;

    /// <summary>Creates a label to be placed with <see cref="Mark"/>.</summary>
    public int DefineLabel()
    {
        _labelPositions.Add(-1);
        return _labelPositions.Count - 1;
    }

    /// <summary>Places <paramref name="label"/> at the next instruction.</summary>
    public void Mark(int label) => _labelPositions[label] = _instructions.Count;

    /// <summary>Appends one instruction.</summary>
    public void Emit(BpfInstruction instruction) => _instructions.Add(instruction);

    /// <summary>Appends a jump whose offset is filled in once <paramref name="label"/> is placed.</summary>
    public void Emit(BpfInstruction jump, int label)
    {
        _fixups.Add((_instructions.Count, label));
        _instructions.Add(jump);
    }

    /// <summary>Appends the two halves of a map-descriptor load.</summary>
    public void EmitLoadMapFd(BpfRegister destination, int mapFd)
    {
        _instructions.Add(BpfInstruction.LoadMapFd(destination, mapFd));
        _instructions.Add(BpfInstruction.LoadImmediate64Tail());
    }

    /// <summary>Resolves every jump and returns the program.</summary>
    /// <exception cref="InvalidOperationException">A label was used but never placed.</exception>
    public BpfInstruction[] ToArray()
    {
        var result = _instructions.ToArray();
        foreach (var (instruction, label) in _fixups)
        {
            var target = _labelPositions[label];
            if (target < 0)
            {
                throw new InvalidOperationException($"BPF label {label} is used but never placed.");
            }

            // Jump offsets count instructions from the one after the jump.
            result[instruction] = result[instruction].WithOffset(checked((short)(target - instruction - 1)));
        }

        return result;
    }
}
