namespace DeepResearcher.ChatModels; public static class Placeholder { public static int X => 1; }
