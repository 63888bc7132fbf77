using System.Text;
using DeepResearcher.Core.Agent;

namespace DeepResearcher.Testing;

/// <summary>A tokenizer for tests: one id per UTF-16 char, plus single ids for the listed special strings.</summary>
public sealed class CharTokenizer(params string[] specials) : ITextTokenizer
{
    private const int SpecialBase = 1_000_000;

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        for (int i = 0; i < text.Length;)
        {
            int special = Array.FindIndex(specials, s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0);
            if (special >= 0)
            {
                ids.Add(SpecialBase + special);
                i += specials[special].Length;
            }
            else
            {
                ids.Add(text[i]);
                i++;
            }
        }

        return [.. ids];
    }

    /// <summary>Outside text: every char is its own id, special strings included.</summary>
    public int[] EncodeUntrusted(string text) => [.. text.Select(c => (int)c)];

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            sb.Append(id >= SpecialBase ? specials[id - SpecialBase] : ((char)id).ToString());
        }

        return sb.ToString();
    }
}
