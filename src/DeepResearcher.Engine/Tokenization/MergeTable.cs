using System.Runtime.CompilerServices;

namespace DeepResearcher.Engine.Tokenization;

/// <summary>
/// BPE merges: (left id, right id) → (rank, merged id), in an open-addressing table keyed by the id pair packed
/// into one 64-bit integer, so a lookup costs a multiply and usually one probe, with no allocation.
/// </summary>
internal sealed class MergeTable
{
    private const long EmptyKey = -1;
    private readonly long[] _keys;
    private readonly int[] _ranks;
    private readonly int _mask;
    private readonly int _shift;
    private readonly int[] _mergedIds;
    private readonly (int Left, int Right)[] _pairs;

    /// <summary>Builds the table; merge i has rank i. Throws when a pair appears twice.</summary>
    public MergeTable(IReadOnlyList<(int Left, int Right, int Merged)> merges, string source)
    {
        int capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, merges.Count) * 2));
        _keys = new long[capacity];
        Array.Fill(_keys, EmptyKey);
        _ranks = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        _mergedIds = new int[merges.Count];
        _pairs = new (int, int)[merges.Count];
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right, merged) = merges[rank];
            long key = Key(left, right);
            int slot = Slot(key);
            while (_keys[slot] != EmptyKey)
            {
                if (_keys[slot] == key)
                {
                    throw new InvalidDataException($"{source}: merge #{rank} repeats the pair of merge #{_ranks[slot]}; each pair may appear once in the merges list.");
                }

                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _ranks[slot] = rank;
            _mergedIds[rank] = merged;
            _pairs[rank] = (left, right);
        }
    }

    public int Count => _mergedIds.Length;

    /// <summary>The pair merged at a rank, for writing the merges back out.</summary>
    public (int Left, int Right) PairAt(int rank) => _pairs[rank];

    /// <summary>Merged id of the pair at a rank.</summary>
    public int MergedIdAt(int rank) => _mergedIds[rank];

    /// <summary>Rank of merging <paramref name="left"/> with <paramref name="right"/>, or int.MaxValue when they never merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RankOf(int left, int right)
    {
        long key = Key(left, right);
        int slot = Slot(key);
        while (true)
        {
            long found = _keys[slot];
            if (found == key)
            {
                return _ranks[slot];
            }

            if (found == EmptyKey)
            {
                return int.MaxValue;
            }

            slot = (slot + 1) & _mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(long key) => (int)((ulong)(key * -7046029254386353131L) >> _shift);
}
