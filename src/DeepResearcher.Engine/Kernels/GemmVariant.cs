namespace DeepResearcher.Engine.Kernels;

/// <summary>Which implementation <see cref="Gemm"/> runs; tests and benches pin one, the engine uses <see cref="Gemm.DefaultVariant"/>.</summary>
public enum GemmVariant
{
    /// <summary>The scalar <see cref="GemmReference"/>.</summary>
    Reference,

    /// <summary>Packed, register-blocked kernel on <see cref="System.Runtime.Intrinsics.Vector256{T}"/>.</summary>
    Vector256,

    /// <summary>Packed, register-blocked kernel on <see cref="System.Runtime.Intrinsics.Vector512{T}"/>.</summary>
    Vector512,
}
