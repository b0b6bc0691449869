namespace LvsNet.PacketIo;

/// <summary>
/// A capture device whose readiness is one pollable descriptor, so that another device's wait can
/// poll it beside its own (see <see cref="CompositeCaptureDevice"/>).
/// </summary>
/// <remarks>Thread contract: called by the capture thread that owns both devices.</remarks>
internal interface ISelectableCaptureDevice : ICaptureDevice
{
    /// <summary>
    /// Takes a reference that keeps the descriptor open (and its number from being reused) until
    /// <see cref="ReleaseSelectableDescriptor"/>, and returns the descriptor number.
    /// </summary>
    /// <param name="added">Set when a reference was taken; release only then.</param>
    /// <exception cref="ObjectDisposedException">The device is disposed.</exception>
    int AcquireSelectableDescriptor(ref bool added);

    /// <summary>Releases the reference taken by <see cref="AcquireSelectableDescriptor"/>.</summary>
    void ReleaseSelectableDescriptor();
}

/// <summary>A capture device whose <see cref="ICaptureDevice.Wait"/> can also return when a companion device becomes readable.</summary>
/// <remarks>Thread contract: as <see cref="ICaptureDevice.Wait"/>.</remarks>
internal interface IJointWaitCaptureDevice : ICaptureDevice
{
    /// <summary>
    /// As <see cref="ICaptureDevice.Wait"/>, returning <see cref="WaitResult.Readable"/> also when
    /// <paramref name="companion"/> has frames.
    /// </summary>
    WaitResult Wait(TimeSpan timeout, ISelectableCaptureDevice companion);
}
