namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// How much of one capture thread's fragment bounds is in use now: datagrams being collected and
/// the buffers their fragments hold. Read from another thread it is a moment's approximation.
/// </summary>
/// <param name="Datagrams">Datagrams whose fragments are being collected.</param>
/// <param name="BuffersInUse">Buffers holding a fragment.</param>
/// <param name="BufferCapacity">All buffers (fragments.memory_bytes divided by the buffer size).</param>
/// <param name="DatagramCapacity">Datagrams that may be collected at once (fragments.max_datagrams).</param>
public readonly record struct FragmentOccupancy(int Datagrams, int BuffersInUse, int BufferCapacity, int DatagramCapacity);
