namespace DeepResearcher.Web.Extraction;

/// <summary>One element or text node of a <see cref="PageTree"/>, with the statistics the content scorer needs.</summary>
internal struct PageNode
{
    public int Parent;

    /// <summary>Index of the last node of this node's subtree (nodes are stored in document order).</summary>
    public int SubtreeEnd;

    /// <summary>The nearest block-like element (itself for block-like elements); text is credited to it.</summary>
    public int Block;

    /// <summary>The nearest enclosing table, or -1.</summary>
    public int Table;

    public string? Text;
    public ElementKind Kind;
    public byte HeadingLevel;
    public ChromeMatch Chrome;
    public bool IsText;
    public bool InLink;
    public bool IsMainLike;
    public bool IsParagraph;
    public bool IsLayoutTable;

    /// <summary>Dropped as chrome, together with its subtree.</summary>
    public bool Removed;

    /// <summary>Holds (or is) a main/article/role=main element.</summary>
    public bool HoldsMainLike;

    /// <summary>Non-whitespace characters of the subtree, and of those the ones inside links.</summary>
    public int SubtreeText;
    public int SubtreeLinkText;

    /// <summary>Text attributed to this block only (not to nested blocks), and the linked part of it.</summary>
    public int OwnText;
    public int OwnLinkText;

    /// <summary>Text of paragraph-like, link-poor blocks in the subtree ("good" text).</summary>
    public float Content;

    /// <summary>Text of link-dominated blocks in the subtree.</summary>
    public float Clutter;

    /// <summary>Non-link text of the subtree after chrome removal.</summary>
    public int KeptPlainText;

    /// <summary>Link text of the subtree after chrome removal.</summary>
    public int KeptLinkText;
}
