using System.Buffers;
using AngleSharp.Dom;

namespace DeepResearcher.Web.Extraction;

/// <summary>
/// A flat, document-ordered copy of the readable part of a DOM (script, style, media and form controls are left out).
/// Every node knows its parent and where its subtree ends, so a subtree is an index range and all later passes are
/// loops over one array: linear, and safe from stack overflow however deep the markup.
/// </summary>
internal sealed class PageTree : IDisposable
{
    private const string HtmlNamespace = "http://www.w3.org/1999/xhtml";

    // Trees of real pages run to thousands of nodes, past the large-object threshold; renting keeps them out of gen-2 collections.
    private PageNode[] _nodes = ArrayPool<PageNode>.Shared.Rent(1024);

    public int Count { get; private set; }

    public Span<PageNode> Nodes => _nodes.AsSpan(0, Count);

    /// <summary>Copies <paramref name="root"/> and its readable descendants; node 0 is the root.</summary>
    public static PageTree Build(IElement root)
    {
        var tree = new PageTree();
        var stack = new Stack<Frame>();
        stack.Push(new Frame(root, Parent: -1, Block: -1, InLink: false, InCode: false, InMainLike: false, Table: -1));
        while (stack.Count > 0)
        {
            var frame = stack.Pop();
            var node = frame.Node;
            if (node.NodeType == NodeType.Text)
            {
                var data = ((ICharacterData)node).Data;
                var index = tree.Add(frame.Parent);
                ref var text = ref tree._nodes[index];
                text.IsText = true;
                text.Text = data;
                text.InLink = frame.InLink;
                text.Block = frame.Block;
                text.Kind = ElementKind.Inline;
                text.SubtreeText = CountNonWhitespace(data);
                text.SubtreeLinkText = frame.InLink ? text.SubtreeText : 0;
                continue;
            }

            if (node is not IElement element)
            {
                continue;
            }

            var isRoot = frame.Parent < 0;
            var name = element.LocalName;
            var kind = element.NamespaceUri == HtmlNamespace ? ElementKinds.Of(name) : ElementKind.Skipped;
            if (kind == ElementKind.Skipped && !isRoot)
            {
                continue;
            }

            string? id = null, className = null, role = null, ariaLabel = null, itemProp = null;
            var hidden = false;
            var ariaModal = false;
            var hasHref = false;
            var attributes = element.Attributes;
            for (var a = 0; a < attributes.Length; a++)
            {
                var attribute = attributes[a];
                if (attribute is null)
                {
                    continue;
                }

                switch (attribute.Name)
                {
                    case "id": id = attribute.Value; break;
                    case "class": className = attribute.Value; break;
                    case "role": role = attribute.Value; break;
                    case "aria-label": ariaLabel = attribute.Value; break;
                    case "itemprop": itemProp = attribute.Value; break;
                    case "href": hasHref = true; break;
                    case "hidden": hidden = true; break;
                    case "aria-hidden": hidden |= attribute.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase); break;
                    case "aria-modal": ariaModal = attribute.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase); break;
                    case "style": hidden |= ChromePatterns.IsHiddenStyle(attribute.Value); break;
                    default: break;
                }
            }

            var isMainLike = name is "main" or "article"
                || (role is not null && role.Trim().Equals("main", StringComparison.OrdinalIgnoreCase))
                || (itemProp is not null && itemProp.Contains("articleBody", StringComparison.OrdinalIgnoreCase));
            var inMainLike = frame.InMainLike || isMainLike;

            var chrome = ChromeMatch.None;
            if (!frame.InCode && !isRoot && !isMainLike)
            {
                chrome = ChromePatterns.OfTag(name);
                if (chrome == ChromeMatch.None)
                {
                    chrome = ariaModal ? ChromeMatch.Chrome : ChromePatterns.OfAttributes(id, className, role, ariaLabel);
                }

                if (chrome is ChromeMatch.Header or ChromeMatch.HeaderName && inMainLike)
                {
                    chrome = ChromeMatch.None;
                }
            }

            // Hidden markup is kept in the tree rather than skipped: some pages hide their whole body until a script runs.
            if (!isRoot && (hidden || ChromePatterns.IsHiddenClass(className)))
            {
                chrome = ChromeMatch.Hidden;
            }

            var elementIndex = tree.Add(frame.Parent);
            ref var entry = ref tree._nodes[elementIndex];
            entry.Kind = isRoot ? ElementKind.Block : kind;
            entry.Chrome = chrome;
            entry.IsMainLike = isMainLike;
            // Named anchors (<a name=...>) around headings are targets, not links.
            entry.InLink = frame.InLink || (kind == ElementKind.Anchor && hasHref);
            entry.IsParagraph = name == "p";
            entry.Block = ElementKinds.IsBlockLike(entry.Kind) ? elementIndex : frame.Block;
            if (kind == ElementKind.Heading)
            {
                entry.HeadingLevel = (byte)(name[1] - '0');
            }

            var table = frame.Table;
            entry.Table = table;
            if (kind == ElementKind.Table)
            {
                // A table inside a table, or one holding paragraphs and headings, lays out a page rather than tabulating data.
                if (table >= 0)
                {
                    tree._nodes[table].IsLayoutTable = true;
                }

                entry.IsLayoutTable = role is not null && role.Trim().Equals("presentation", StringComparison.OrdinalIgnoreCase);
                table = elementIndex;
            }
            else if (table >= 0 && (kind is ElementKind.Heading or ElementKind.Preformatted || name is "p" or "blockquote"))
            {
                tree._nodes[table].IsLayoutTable = true;
            }

            var children = element.ChildNodes;
            var child = new Frame(
                null!,
                elementIndex,
                entry.Block,
                entry.InLink,
                frame.InCode || kind == ElementKind.Preformatted || name == "code",
                inMainLike,
                table);
            for (var c = children.Length - 1; c >= 0; c--)
            {
                stack.Push(child with { Node = children[c] });
            }
        }

        tree.ComputeSubtrees();
        return tree;
    }

    /// <summary>Returns the node array to the pool, cleared so that it holds no page text.</summary>
    public void Dispose()
    {
        var nodes = Interlocked.Exchange(ref _nodes, []);
        if (nodes.Length > 0)
        {
            ArrayPool<PageNode>.Shared.Return(nodes, clearArray: true);
        }

        Count = 0;
    }

    private static int CountNonWhitespace(string text)
    {
        var span = text.AsSpan();
        var count = 0;
        for (var i = 0; i < span.Length; i++)
        {
            if (!char.IsWhiteSpace(span[i]))
            {
                count++;
            }
        }

        return count;
    }

    private int Add(int parent)
    {
        if (Count == _nodes.Length)
        {
            var larger = ArrayPool<PageNode>.Shared.Rent(_nodes.Length * 2);
            Array.Copy(_nodes, larger, Count);
            ArrayPool<PageNode>.Shared.Return(_nodes, clearArray: true);
            _nodes = larger;
        }

        var index = Count++;
        ref var node = ref _nodes[index];
        node = default;
        node.Parent = parent;
        node.Table = -1;
        node.SubtreeEnd = index;
        return index;
    }

    private void ComputeSubtrees()
    {
        var nodes = Nodes;
        for (var i = nodes.Length - 1; i > 0; i--)
        {
            ref var node = ref nodes[i];
            ref var parent = ref nodes[node.Parent];
            parent.SubtreeText += node.SubtreeText;
            parent.SubtreeLinkText += node.SubtreeLinkText;
            parent.HoldsMainLike |= node.HoldsMainLike || node.IsMainLike;
            if (node.SubtreeEnd > parent.SubtreeEnd)
            {
                parent.SubtreeEnd = node.SubtreeEnd;
            }
        }
    }

    private readonly record struct Frame(INode Node, int Parent, int Block, bool InLink, bool InCode, bool InMainLike, int Table);
}
