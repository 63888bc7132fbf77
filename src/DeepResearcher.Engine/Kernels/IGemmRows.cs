namespace DeepResearcher.Engine.Kernels;

/// <summary>A row count known to the JIT, so a micro-kernel instantiated with it compiles without the unused rows.</summary>
internal interface IGemmRows
{
    static abstract int Value { get; }
}

internal struct GemmRows1 : IGemmRows { public static int Value => 1; }

internal struct GemmRows2 : IGemmRows { public static int Value => 2; }

internal struct GemmRows3 : IGemmRows { public static int Value => 3; }

internal struct GemmRows4 : IGemmRows { public static int Value => 4; }

internal struct GemmRows5 : IGemmRows { public static int Value => 5; }

internal struct GemmRows6 : IGemmRows { public static int Value => 6; }

internal struct GemmRows7 : IGemmRows { public static int Value => 7; }

internal struct GemmRows8 : IGemmRows { public static int Value => 8; }
