namespace DeepResearcher.Web.Extraction;

/// <summary>Writes the kept part of a <see cref="PageTree"/> subtree as markdown-flavoured plain text.</summary>
internal static class PageTreeRenderer
{
    /// <summary>Inside the main content, short blocks that are mostly links (tag clouds, button bars, "share" leftovers) are dropped.</summary>
    private const float LinkBarShare = 0.65f;

    /// <summary>
    /// Longer link blocks stay: inside the main content they are "see also" lists and reference lists, whose entity names
    /// a research agent can follow up on.
    /// </summary>
    private const int LinkBarMaximum = 200;

    private static readonly string[] HeadingPrefixes = ["# ", "## ", "### ", "#### ", "##### ", "###### "];

    public static void Render(PageTree tree, int root, BlockTextWriter writer)
    {
        var nodes = tree.Nodes;
        var listDepth = 0;
        var preDepth = 0;
        var rowCells = new Stack<int>();
        var layoutTables = new Stack<bool>();
        var open = new Stack<int>();

        // Nodes are stored in document order, so a subtree is an index range: walk it, leaving elements whose range ended.
        var end = nodes[root].SubtreeEnd;
        var i = root;
        while (i <= end)
        {
            while (open.Count > 0 && nodes[open.Peek()].SubtreeEnd < i)
            {
                Leave(nodes, open.Pop(), writer, ref listDepth, ref preDepth, rowCells, layoutTables);
            }

            ref var node = ref nodes[i];
            if (node.Removed || (!node.IsText && i != root && IsLinkBar(ref node)))
            {
                i = node.SubtreeEnd + 1;
                continue;
            }

            if (node.IsText)
            {
                if (preDepth > 0)
                {
                    writer.WriteVerbatim(node.Text!);
                }
                else
                {
                    writer.Write(node.Text);
                }
            }
            else
            {
                Enter(nodes, i, writer, ref listDepth, ref preDepth, rowCells, layoutTables);
                open.Push(i);
            }

            i++;
        }

        while (open.Count > 0)
        {
            Leave(nodes, open.Pop(), writer, ref listDepth, ref preDepth, rowCells, layoutTables);
        }
    }

    private static bool IsLinkBar(ref PageNode node)
    {
        var kept = node.KeptPlainText + node.KeptLinkText;
        return node.Kind == ElementKind.Block && !node.IsParagraph && !node.IsMainLike
            && kept is > 0 and <= LinkBarMaximum && node.KeptLinkText > LinkBarShare * kept;
    }

    private static bool InDataTable(Stack<bool> layoutTables) => layoutTables.Count > 0 && !layoutTables.Peek();

    private static void Enter(
        Span<PageNode> nodes, int index, BlockTextWriter writer, ref int listDepth, ref int preDepth, Stack<int> rowCells, Stack<bool> layoutTables)
    {
        ref var node = ref nodes[index];
        switch (node.Kind)
        {
            case ElementKind.Block:
                writer.Break(2);
                break;
            case ElementKind.LineBlock:
            case ElementKind.TableCaption:
                writer.Break(1);
                break;
            case ElementKind.Heading:
                writer.Break(2);
                writer.PrefixNextLine(HeadingPrefixes[Math.Clamp(node.HeadingLevel, (byte)1, (byte)6) - 1]);
                break;
            case ElementKind.List:
                writer.Break(2);
                listDepth++;
                break;
            case ElementKind.ListItem:
                writer.Break(1);
                writer.PrefixNextLine(listDepth <= 1 ? "- " : new string(' ', 2 * (listDepth - 1)) + "- ");
                writer.ListItemDepth++;
                break;
            case ElementKind.Preformatted:
                if (writer.CellDepth == 0)
                {
                    writer.BeginPreformatted();
                    preDepth++;
                }

                break;
            case ElementKind.Table:
                writer.Break(2);
                layoutTables.Push(node.IsLayoutTable);
                break;
            case ElementKind.TableRow:
                writer.Break(InDataTable(layoutTables) ? 1 : 2);
                if (InDataTable(layoutTables))
                {
                    writer.BeginRow();
                    rowCells.Push(0);
                }

                break;
            case ElementKind.TableCell:
                if (InDataTable(layoutTables) && rowCells.Count > 0)
                {
                    var cells = rowCells.Pop();
                    rowCells.Push(cells + 1);
                    writer.BeginCell(cells == 0);
                    writer.CellDepth++;
                }
                else
                {
                    writer.Break(2);
                }

                break;
            case ElementKind.LineBreak:
                if (preDepth > 0)
                {
                    writer.WriteVerbatim("\n");
                }
                else
                {
                    writer.LineBreak();
                }

                break;
            case ElementKind.Rule:
                writer.Break(2);
                break;
            default:
                break;
        }
    }

    private static void Leave(
        Span<PageNode> nodes, int index, BlockTextWriter writer, ref int listDepth, ref int preDepth, Stack<int> rowCells, Stack<bool> layoutTables)
    {
        ref var node = ref nodes[index];
        switch (node.Kind)
        {
            case ElementKind.Block:
            case ElementKind.Rule:
                writer.Break(2);
                break;
            case ElementKind.LineBlock:
            case ElementKind.TableCaption:
                writer.Break(1);
                break;
            case ElementKind.Heading:
                writer.ClearPrefix();
                writer.Break(2);
                break;
            case ElementKind.List:
                listDepth--;
                writer.Break(2);
                break;
            case ElementKind.ListItem:
                writer.ClearPrefix();
                writer.ListItemDepth--;
                writer.Break(1);
                break;
            case ElementKind.Preformatted:
                if (preDepth > 0 && writer.CellDepth == 0)
                {
                    preDepth--;
                    writer.EndPreformatted();
                }

                break;
            case ElementKind.Table:
                layoutTables.Pop();
                writer.Break(2);
                break;
            case ElementKind.TableRow:
                if (InDataTable(layoutTables) && rowCells.Count > 0)
                {
                    rowCells.Pop();
                    writer.BeginRow();
                }

                writer.Break(InDataTable(layoutTables) ? 1 : 2);
                break;
            case ElementKind.TableCell:
                if (writer.CellDepth > 0 && InDataTable(layoutTables))
                {
                    writer.CellDepth--;
                    writer.EndCell();
                }
                else
                {
                    writer.Break(2);
                }

                break;
            default:
                break;
        }
    }
}
