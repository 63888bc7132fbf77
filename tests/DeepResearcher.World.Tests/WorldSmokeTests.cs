namespace DeepResearcher.World.Tests; public class WorldSmokeTests { [Fact] public void Loads() => Assert.NotNull(typeof(WorldSmokeTests).Assembly); }
