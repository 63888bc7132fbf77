using System.Text;

namespace DeepResearcher.Web.Extraction;

/// <summary>
/// Accumulates extracted text: collapses whitespace inside blocks, turns block boundaries into single or blank lines,
/// and prefixes headings, list items and table cells lazily, so empty blocks leave no trace.
/// </summary>
internal sealed class BlockTextWriter
{
    private readonly StringBuilder _text = new();
    private int _pendingBreak;
    private bool _pendingSpace;
    private bool _atLineStart = true;
    private string? _pendingPrefix;
    private int _pendingCellSeparators;

    /// <summary>Inside a table cell, line breaks become spaces.</summary>
    public int CellDepth { get; set; }

    /// <summary>Inside a list item, paragraph breaks shrink to line breaks so the item stays together.</summary>
    public int ListItemDepth { get; set; }

    /// <summary>Requests a line break (1) or a blank line (2) before the next text.</summary>
    public void Break(int strength)
    {
        if (CellDepth > 0)
        {
            _pendingSpace = true;
            return;
        }

        if (ListItemDepth > 0 && strength > 1)
        {
            strength = 1;
        }

        if (strength > _pendingBreak)
        {
            _pendingBreak = strength;
        }

        _pendingSpace = false;
    }

    /// <summary>A &lt;br&gt;: a line break, and a second one in a row makes a paragraph break, as pages without &lt;p&gt; use them.</summary>
    public void LineBreak() => Break(_pendingBreak >= 1 ? 2 : 1);

    /// <summary>Text written at the start of the next line that gets any text (a heading's #s, a list item's dash).</summary>
    public void PrefixNextLine(string prefix)
    {
        if (CellDepth == 0)
        {
            _pendingPrefix = prefix;
        }
    }

    /// <summary>Forgets a prefix that found no text (an empty heading or list item).</summary>
    public void ClearPrefix() => _pendingPrefix = null;

    public void BeginRow() => _pendingCellSeparators = 0;

    public void BeginCell(bool first)
    {
        if (!first)
        {
            _pendingCellSeparators++;
        }

        _pendingSpace = false;
    }

    public void EndCell() => _pendingSpace = false;

    /// <summary>Writes text, collapsing each whitespace run to one space and dropping it at line starts.</summary>
    public void Write(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                _pendingSpace = true;
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            BeginText();
            if (_pendingSpace && !_atLineStart)
            {
                _text.Append(' ');
            }

            _text.Append(text[start..i]);
            _pendingSpace = false;
            _atLineStart = false;
        }
    }

    /// <summary>Opens a fenced code block whose text is then written verbatim.</summary>
    public void BeginPreformatted()
    {
        Break(2);
        FlushBreak();
        _text.Append("```\n");
        _atLineStart = true;
    }

    /// <summary>Writes preformatted text as is, normalising line endings.</summary>
    public void WriteVerbatim(string text)
    {
        foreach (var c in text)
        {
            if (c != '\r')
            {
                _text.Append(c);
            }
        }
    }

    public void EndPreformatted()
    {
        while (_text.Length > 0 && char.IsWhiteSpace(_text[^1]))
        {
            _text.Length--;
        }

        _text.Append("\n```");
        _atLineStart = false;
        _pendingSpace = false;
        _pendingBreak = 2;
    }

    public override string ToString()
    {
        var end = _text.Length;
        while (end > 0 && char.IsWhiteSpace(_text[end - 1]))
        {
            end--;
        }

        return _text.ToString(0, end);
    }

    private void BeginText()
    {
        FlushBreak();
        if (_atLineStart && _pendingPrefix is not null)
        {
            _text.Append(_pendingPrefix);
            _pendingPrefix = null;
            _pendingSpace = false;
        }

        if (_pendingCellSeparators > 0)
        {
            for (var s = 0; s < _pendingCellSeparators; s++)
            {
                _text.Append(_atLineStart && s == 0 ? "| " : " | ");
            }

            _pendingCellSeparators = 0;
            _pendingSpace = false;
            _atLineStart = false;
        }
    }

    private void FlushBreak()
    {
        if (_pendingBreak == 0)
        {
            return;
        }

        if (_text.Length > 0)
        {
            _text.Append('\n', _pendingBreak);
            _atLineStart = true;
        }

        _pendingBreak = 0;
        _pendingSpace = false;
    }
}
