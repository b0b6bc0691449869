using System.Runtime.CompilerServices;

// Every native call is a blittable [LibraryImport]; the runtime's marshalling stubs are never needed.
[assembly: DisableRuntimeMarshalling]

// Error buffers and pollfd arrays are stackalloc'd and written by native code before they are read.
[module: SkipLocalsInit]
