using DeepResearcher.Recipes.Pipeline;

namespace DeepResearcher.Recipes.Tests.Pipeline;

/// <summary><c>trainer.threads</c>: 0 means every engine thread; a count above the machine's is clamped with a note.</summary>
public sealed class ComputeThreadsTests
{
    [Theory]
    [InlineData(0, 2, 2, false)]
    [InlineData(2, 2, 2, false)]
    [InlineData(1, 2, 1, true)]
    [InlineData(8, 2, 2, true)]
    public void ChoosesThreads(int requested, int available, int expected, bool logs)
    {
        var lines = new List<string>();
        int threads = TrainingPipeline.ComputeThreads(requested, available, new SynchronousLog(lines));
        Assert.Equal(expected, threads);
        Assert.Equal(logs, lines.Count == 1);
        if (logs)
        {
            Assert.Contains("trainer.threads", lines[0]);
        }
    }

    private sealed class SynchronousLog(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }
}
