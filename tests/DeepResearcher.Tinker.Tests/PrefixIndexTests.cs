using DeepResearcher.Tinker.Service;

namespace DeepResearcher.Tinker.Tests;

public sealed class PrefixIndexTests
{
    private static int[] Tokens(int from, int count) => [.. Enumerable.Range(from, count)];

    [Fact]
    public void A_next_turn_claims_the_longest_held_sequence_it_extends_and_only_once()
    {
        var released = new List<string>();
        var index = new PrefixIndex(8, released.Add);
        int[] question = Tokens(0, 40);
        string first = index.Claim(question);
        string sibling = index.Claim(question);
        index.Hold(first, [.. question, .. Tokens(100, 10)]);
        index.Hold(sibling, [.. question, .. Tokens(200, 10)]);

        // The first trajectory's next turn: its own reply and a tool output after the question.
        string next = index.Claim([.. question, .. Tokens(100, 11), .. Tokens(500, 30)]);
        string again = index.Claim([.. question, .. Tokens(100, 11), .. Tokens(500, 30)]);

        Assert.NotEqual(first, sibling);
        Assert.Equal(first, next);
        Assert.NotEqual(first, again);
        Assert.NotEqual(sibling, again);
        Assert.Equal(1, index.Claims);
        Assert.Equal(50, index.ReusedTokens);
        Assert.Empty(released);
    }

    [Fact]
    public void Short_or_unrelated_sequences_are_not_claimed_and_the_oldest_is_released_past_the_capacity()
    {
        var released = new List<string>();
        var index = new PrefixIndex(2, released.Add);
        string a = index.Claim(Tokens(0, 8)), b = index.Claim(Tokens(0, 40)), c = index.Claim(Tokens(1000, 40));
        index.Hold(a, Tokens(0, 8));
        index.Hold(b, Tokens(0, 40));
        index.Hold(c, Tokens(1000, 40));

        Assert.Equal([a], released);
        Assert.NotEqual(b, index.Claim(Tokens(0, 40)));   // equal, not longer: nothing left to prefill from it
        Assert.NotEqual(c, index.Claim(Tokens(2000, 60)));
        Assert.Equal(b, index.Claim(Tokens(0, 60)));
        Assert.Equal(0, index.ReusedTokens - 40);
    }
}
