namespace DeepResearcher.World.Generation;

/// <summary>
/// How much of the web's mess the world contains. Shares are fractions in [0, 1]; they are stored in the manifest so the server
/// and the statistics agree with the build.
/// </summary>
public sealed record WorldShares
{
    /// <summary>Entities whose article is long, with one literal fact stated only beyond the first 40,960 characters.</summary>
    public double LongPage { get; init; } = 0.08;

    /// <summary>Entities with a near-duplicate page under /mirror/.</summary>
    public double Mirror { get; init; } = 0.15;

    /// <summary>Of the mirrors, the share that is gone (404) although still in the search index.</summary>
    public double MirrorGone { get; init; } = 0.2;

    /// <summary>Of the mirrors, the share that fails with 500.</summary>
    public double MirrorServerError { get; init; } = 0.15;

    /// <summary>Entities with a fan-wiki or forum page that states a wrong or outdated value.</summary>
    public double Distractor { get; init; } = 0.12;

    /// <summary>Canonical pages that answer only after <see cref="SlowPageDelayMs"/>.</summary>
    public double SlowPage { get; init; } = 0.02;

    public int SlowPageDelayMs { get; init; } = 400;

    /// <summary>"Related links" that point at pages that do not exist (404).</summary>
    public double BrokenLink { get; init; } = 0.1;

    /// <summary>Links between articles that go through a redirecting URL (301) instead of the canonical one.</summary>
    public double RedirectLink { get; init; } = 0.15;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first share out of range.</summary>
    public void Validate()
    {
        Check(LongPage, nameof(LongPage));
        Check(Mirror, nameof(Mirror));
        Check(MirrorGone, nameof(MirrorGone));
        Check(MirrorServerError, nameof(MirrorServerError));
        Check(Distractor, nameof(Distractor));
        Check(SlowPage, nameof(SlowPage));
        Check(BrokenLink, nameof(BrokenLink));
        Check(RedirectLink, nameof(RedirectLink));
        if (MirrorGone + MirrorServerError > 1.0)
            throw new ArgumentException($"WorldShares.MirrorGone + MirrorServerError must not exceed 1 (got {MirrorGone + MirrorServerError:0.###}).");
        if (SlowPageDelayMs is < 0 or > 60_000)
            throw new ArgumentException($"WorldShares.SlowPageDelayMs must be between 0 and 60000 (got {SlowPageDelayMs}).");
    }

    private static void Check(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
            throw new ArgumentException($"WorldShares.{name} must be a fraction between 0 and 1 (got {value}).");
    }
}
