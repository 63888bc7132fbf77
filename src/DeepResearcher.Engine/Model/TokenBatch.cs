namespace DeepResearcher.Engine.Model;

/// <summary>
/// Variable-length sequences packed back to back without padding: sequence s owns tokens
/// [SequenceStarts[s], SequenceStarts[s] + SequenceLengths[s]); positions restart at 0 in each sequence
/// and attention never crosses a sequence boundary.
/// </summary>
public sealed class TokenBatch
{
    public TokenBatch(int[] tokens, int[] sequenceLengths)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(sequenceLengths);
        long total = 0;
        foreach (int length in sequenceLengths)
        {
            if (length <= 0) throw new ArgumentException($"sequence lengths must be positive, got {length}", nameof(sequenceLengths));
            total += length;
        }
        if (total != tokens.Length)
            throw new ArgumentException($"sequence lengths sum to {total} but {tokens.Length} tokens were given", nameof(sequenceLengths));

        Tokens = tokens;
        SequenceLengths = sequenceLengths;
        SequenceStarts = new int[sequenceLengths.Length];
        Positions = new int[tokens.Length];
        int start = 0;
        for (int s = 0; s < sequenceLengths.Length; s++)
        {
            SequenceStarts[s] = start;
            for (int p = 0; p < sequenceLengths[s]; p++) Positions[start + p] = p;
            start += sequenceLengths[s];
            MaxSequenceLength = Math.Max(MaxSequenceLength, sequenceLengths[s]);
        }
    }

    public static TokenBatch Single(int[] tokens) => new(tokens, [tokens.Length]);

    public int[] Tokens { get; }

    public int[] SequenceLengths { get; }

    public int[] SequenceStarts { get; }

    public int[] Positions { get; }

    public int TokenCount => Tokens.Length;

    public int SequenceCount => SequenceLengths.Length;

    public int MaxSequenceLength { get; }
}
