namespace DeepResearcher.Engine; internal static class EngineAssembly { }
