using DeepResearcher.Training.Data;

namespace DeepResearcher.Training.Tests.Data;

public class DataOrderTests
{
    [Fact]
    public void Draws_are_a_pure_function_of_seed_stream_step_and_index()
    {
        int[] first = [.. Enumerable.Range(0, 64).Select(i => DataOrder.Index(7, "sft", 12, i, 100))];
        int[] again = [.. Enumerable.Range(0, 64).Select(i => DataOrder.Index(7, "sft", 12, i, 100))];
        int[] otherStep = [.. Enumerable.Range(0, 64).Select(i => DataOrder.Index(7, "sft", 13, i, 100))];
        int[] otherSeed = [.. Enumerable.Range(0, 64).Select(i => DataOrder.Index(8, "sft", 12, i, 100))];
        int[] otherStream = [.. Enumerable.Range(0, 64).Select(i => DataOrder.Index(7, "grpo", 12, i, 100))];

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherStep);
        Assert.NotEqual(first, otherSeed);
        Assert.NotEqual(first, otherStream);
        Assert.All(first, x => Assert.InRange(x, 0, 99));
    }

    [Fact]
    public void Draws_cover_the_range_roughly_uniformly()
    {
        var counts = new int[10];
        for (int i = 0; i < 10_000; i++)
        {
            counts[DataOrder.Index(1, "u", i / 16, i % 16, 10)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void Shuffle_is_a_seeded_permutation()
    {
        int[] items = [.. Enumerable.Range(0, 50)];

        List<int> a = DataOrder.Shuffle(items, 3, "demos");
        List<int> b = DataOrder.Shuffle(items, 3, "demos");
        List<int> c = DataOrder.Shuffle(items, 4, "demos");

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(items, a.Order());
    }
}
