namespace DeepResearcher.Core.Tests;
public class SmokeTests { [Fact] public void One() => Assert.Equal(1, Placeholder.X); }
