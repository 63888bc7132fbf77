namespace DeepResearcher.World; internal static class WorldAssembly { }
