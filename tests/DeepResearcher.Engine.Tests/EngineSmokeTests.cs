namespace DeepResearcher.Engine.Tests; public class EngineSmokeTests { [Fact] public void Loads() => Assert.NotNull(typeof(DeepResearcher.Engine.Tests.EngineSmokeTests).Assembly); }
