namespace DeepResearcher.Web.Extraction;

/// <summary>What an element means to text extraction: whether it breaks lines, carries structure, or is dropped outright.</summary>
internal enum ElementKind : byte
{
    /// <summary>Flows with the surrounding text (span, em, code, unknown tags).</summary>
    Inline,

    /// <summary>A link: inline, but its text counts towards link density.</summary>
    Anchor,

    /// <summary>A block that ends a paragraph (div, p, section, ...).</summary>
    Block,

    /// <summary>h1..h6.</summary>
    Heading,

    /// <summary>ul, ol, menu, dir.</summary>
    List,

    /// <summary>li.</summary>
    ListItem,

    /// <summary>dt, dd: a block separated by a single line break.</summary>
    LineBlock,

    /// <summary>pre and its historical aliases: whitespace is kept verbatim.</summary>
    Preformatted,

    /// <summary>table.</summary>
    Table,

    /// <summary>thead, tbody, tfoot: transparent inside a table.</summary>
    TableSection,

    /// <summary>tr.</summary>
    TableRow,

    /// <summary>td, th.</summary>
    TableCell,

    /// <summary>caption.</summary>
    TableCaption,

    /// <summary>br.</summary>
    LineBreak,

    /// <summary>hr.</summary>
    Rule,

    /// <summary>Never holds readable text (script, style, svg, form controls, media): skipped with its subtree.</summary>
    Skipped,
}
