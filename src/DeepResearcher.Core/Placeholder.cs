namespace DeepResearcher.Core; public static class Placeholder { public static int X => 1; }
