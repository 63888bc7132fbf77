using System.Text;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Serving.Generation;

/// <summary>
/// Turns sampled ids, one at a time, into the text a client sees: stop tokens (the end of turn) are not shown, the
/// text ends before a matched stop string (as OpenAI's does), and a tail that may yet become a stop string is held
/// back until it is known not to, so streamed pieces always concatenate to the whole reply. One per choice; not
/// thread-safe.
/// </summary>
internal sealed class VisibleText
{
    private readonly StreamingDecoder _decoder;
    private readonly IReadOnlyList<string> _stops;
    private readonly IReadOnlySet<int> _hiddenIds;
    private readonly bool _keepStop;
    private readonly int _longestStop;
    private readonly StringBuilder _text = new();
    private int _shown;
    private int _end = -1;

    public VisibleText(BpeTokenizer tokenizer, IReadOnlyList<string> stops, IReadOnlySet<int> hiddenIds, bool keepStop)
    {
        _decoder = tokenizer.CreateStreamingDecoder();
        _stops = stops;
        _hiddenIds = hiddenIds;
        _keepStop = keepStop;
        foreach (string stop in stops)
        {
            _longestStop = Math.Max(_longestStop, stop.Length);
        }
    }

    /// <summary>The stop string that ended the text, if one did.</summary>
    public string? MatchedStop { get; private set; }

    /// <summary>Adds a sampled id; returns the text it makes visible (often empty).</summary>
    public string Append(int id)
    {
        if (_end >= 0 || _hiddenIds.Contains(id))
        {
            return string.Empty;
        }
        int before = _text.Length;
        _text.Append(_decoder.Append(id));
        return Release(before, final: false);
    }

    /// <summary>Ends the text; returns whatever was still held back.</summary>
    public string Finish()
    {
        if (_end >= 0)
        {
            return string.Empty;
        }
        int before = _text.Length;
        _text.Append(_decoder.Flush());
        return Release(before, final: true);
    }

    private string Release(int before, bool final)
    {
        if (_longestStop > 0)
        {
            // Only a match that ends in the new text is new: earlier text was checked when it arrived.
            int from = Math.Max(0, before - _longestStop + 1);
            string tail = _text.ToString(from, _text.Length - from);
            int best = -1;
            string? matched = null;
            foreach (string stop in _stops)
            {
                int at = tail.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0 && (best < 0 || at < best))
                {
                    best = at;
                    matched = stop;
                }
            }

            if (matched is not null)
            {
                MatchedStop = matched;
                _end = from + best + (_keepStop ? matched.Length : 0);
                return Take(_end);
            }
        }

        return Take(final ? _text.Length : _text.Length - HeldBack());
    }

    /// <summary>The longest tail of the text that is the start of a stop string.</summary>
    private int HeldBack()
    {
        int held = 0;
        foreach (string stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, _text.Length); length > held; length--)
            {
                if (EndsWith(stop.AsSpan(0, length)))
                {
                    held = length;
                    break;
                }
            }
        }

        return held;
    }

    private bool EndsWith(ReadOnlySpan<char> value)
    {
        int start = _text.Length - value.Length;
        for (int i = 0; i < value.Length; i++)
        {
            if (_text[start + i] != value[i])
            {
                return false;
            }
        }

        return true;
    }

    private string Take(int upTo)
    {
        if (upTo <= _shown)
        {
            return string.Empty;
        }
        string piece = _text.ToString(_shown, upTo - _shown);
        _shown = upTo;
        return piece;
    }
}
