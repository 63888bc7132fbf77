namespace DeepResearcher.Evaluation; public static class Placeholder { public static int X => 1; }
