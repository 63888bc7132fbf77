namespace DeepResearcher.Core.Agent;

/// <summary>
/// The sampling seed of one turn of a token-level policy. Rollouts of a group share one agent, so each turn's seed is
/// derived from the run's seed, the trajectory's id and the turn's position: the G rollouts differ, and a rerun with
/// the same ids samples the same tokens. The engine policy in process and the completions client over HTTP derive it
/// alike, so the same checkpoint samples the same tokens either way.
/// </summary>
public static class TurnSeed
{
    public static int Derive(long? seed, string trajectoryId, int contextTokens)
    {
        ArgumentNullException.ThrowIfNull(trajectoryId);
        return unchecked((int)((seed ?? 0) ^ StableHash(trajectoryId) ^ ((long)contextTokens * 0x9E3779B1)));
    }

    // FNV-1a over the UTF-16 code units: string.GetHashCode is randomised per process.
    private static long StableHash(string text)
    {
        long hash = 1469598103934665603;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211);
        }

        return hash;
    }
}
