namespace DeepResearcher.Tinker.Service;

/// <summary>
/// Automatic prefix reuse for <c>asample</c>, which has no conversation id: the token sequences whose keys and values a
/// sampler still holds, each under a conversation id of its own. A new prompt that extends one of them (an agent's
/// next turn: the previous prompt, its reply, the tool output) claims the longest such sequence and continues in its
/// cache, so every turn prefills only what is new, as the in-process rollout does under its trajectory ids. The sampler
/// itself cuts a claimed cache back to the prefix it really shares with the prompt, so a wrong claim costs speed, never
/// a different result. Thread-safe; bounded, the oldest entry's cache being released past the bound.
/// </summary>
internal sealed class PrefixIndex(int capacity, Action<string> release)
{
    // A shared prefix shorter than this is not worth taking a cache from the conversation that made it.
    private const int MinimumSharedTokens = 16;

    private readonly LinkedList<(string Id, int[] Tokens)> _entries = new();
    private readonly Lock _gate = new();
    private long _next;

    /// <summary>Cached sequences reused so far, and prompt tokens they spared the prefill.</summary>
    public long Claims, ReusedTokens;

    /// <summary>
    /// The conversation id to sample <paramref name="prompt"/> under: that of the longest held sequence that is a
    /// prefix of it (removed from the index: one request at a time continues a cache), else a new one.
    /// </summary>
    public string Claim(ReadOnlySpan<int> prompt)
    {
        lock (_gate)
        {
            LinkedListNode<(string Id, int[] Tokens)>? best = null;
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                int[] tokens = node.Value.Tokens;
                if (tokens.Length >= MinimumSharedTokens && tokens.Length < prompt.Length && (best is null || tokens.Length > best.Value.Tokens.Length)
                    && prompt[..tokens.Length].SequenceEqual(tokens))
                {
                    best = node;
                }
            }

            if (best is null)
            {
                return $"asample-{++_next}";
            }

            _entries.Remove(best);
            Claims++;
            ReusedTokens += best.Value.Tokens.Length;
            return best.Value.Id;
        }
    }

    /// <summary>Records that the sampler now holds <paramref name="cachedTokens"/> under <paramref name="id"/>.</summary>
    public void Hold(string id, int[] cachedTokens)
    {
        string? dropped = null;
        lock (_gate)
        {
            _entries.AddLast((id, cachedTokens));
            if (_entries.Count > capacity)
            {
                dropped = _entries.First!.Value.Id;
                _entries.RemoveFirst();
            }
        }

        if (dropped is not null)
        {
            release(dropped);
        }
    }
}
