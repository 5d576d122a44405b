namespace DyCompile.Passes.EGraph;

/// <summary>
/// A tree cost: the cost of choosing <paramref name="node"/> given the best cost of each child
/// class. It must grow with its children's costs (as egg requires) so the best choice is a tree.
/// </summary>
public delegate double CostFunction(ENode node, Func<EClassId, double> childCost);

/// <summary>Common cost functions.</summary>
public static class CostFunctions
{
    /// <summary>The number of nodes of the tree.</summary>
    public static readonly CostFunction AstSize = (node, childCost) => 1 + SumChildren(node, childCost);

    /// <summary>The depth of the tree.</summary>
    public static readonly CostFunction AstDepth =
        (node, childCost) => 1 + node.Children.Select(childCost).DefaultIfEmpty(0).Max();

    /// <summary>The tree cost that sums a per-node cost over the tree (each node cost must be &gt; 0).</summary>
    public static CostFunction TreeOf(Func<ENode, double> nodeCost) =>
        (node, childCost) => nodeCost(node) + SumChildren(node, childCost);

    private static double SumChildren(ENode node, Func<EClassId, double> childCost)
    {
        var sum = 0.0;
        foreach (var child in node.Children)
        {
            sum += childCost(child);
        }
        return sum;
    }
}
