namespace DeepResearcher.Cli.Tests;
public class SmokeTests { [Fact] public void One() => Assert.Equal(1, DeepResearcher.Core.Placeholder.X); }
