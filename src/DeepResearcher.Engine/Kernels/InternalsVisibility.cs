using System.Runtime.CompilerServices;

// The GEMM bench tunes the blocking sizes of the kernel drivers.
[assembly: InternalsVisibleTo("GemmBench")]
