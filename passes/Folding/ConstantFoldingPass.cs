using DyCompile.IR;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Passes.Folding;

/// <summary>Folds host scalar ops whose operands are all scalar constants into constants, with the
/// host evaluator's semantics (<see cref="HostEvaluator"/>), so a decision the frontend could
/// not fold (a shape read, a counter after inlining) costs nothing at run time and a branch on a
/// folded condition can be simplified away. Values cross blocks only as block arguments, so the
/// constants a node reads are in its own block. An op that fails on its constants (an int division
/// by zero) is left to fail at run time, as the eager code would. Tensor ops are not folded here:
/// the e-graph optimizer folds them per segment, and weights are never constants.</summary>
public sealed class ConstantFoldingPass : IPass<IRProgram, IRProgram>
{
    public string Name => "fold-constants";

    /// <summary>How many nodes the last <see cref="Run"/> folded.</summary>
    public int Folded { get; private set; }

    public IRProgram Run(IRProgram program)
    {
        Folded = 0;
        var blocks = new List<Block>();
        foreach (var block in program.Blocks)
        {
            var constants = new Dictionary<Value, object>();
            var instructions = new List<Instruction>();
            foreach (var instruction in block.Instructions)
            {
                if (instruction is Node node && Fold(node, constants) is { } folded)
                {
                    instructions.Add(folded);
                    Folded++;
                    continue;
                }
                if (instruction is Node { Op: "const" } c && c.Results.Length == 1 && c.Result.Type is ScalarType)
                    constants[c.Result] = Interpreter.Constant(c);
                instructions.Add(instruction);
            }
            blocks.Add(new Block(block.Name, block.Parameters, instructions));
        }
        return Folded == 0 ? program : new IRProgram(program.Name, program.Inputs, program.ResultTypes, program.Weights, blocks);
    }

    private static Node? Fold(Node node, Dictionary<Value, object> constants)
    {
        if (node.Def is not { Kind: OpKind.Host } || node.Op is "host.call" or "tensor.from_scalar"
            || node.Results.Length != 1 || node.Result.Type is not ScalarType type || node.Operands.Length == 0)
            return null;
        var operands = new List<object>();
        foreach (var operand in node.Operands)
        {
            if (!constants.TryGetValue(operand, out var value)) return null;
            operands.Add(value);
        }
        object result;
        try
        {
            result = HostEvaluator.Evaluate(node.Op, operands);
        }
        catch (Exception e) when (e is ArithmeticException or InvalidOperationException)
        {
            return null;
        }
        var payload = result switch
        {
            int i => ConstPayload.Of(i),
            float f => ConstPayload.Of(f),
            bool b => ConstPayload.Of(b ? 1 : 0),
            _ => null,
        };
        if (payload is null || !Matches(type, result)) return null;
        var folded = new Node("const", [], null, [node.Result], payload);
        constants[node.Result] = result;
        return folded;
    }

    private static bool Matches(ScalarType type, object value) => (type.Kind, value) switch
    {
        (ScalarKind.Int, int) or (ScalarKind.Float, float) or (ScalarKind.Bool, bool) => true,
        _ => false,
    };

    public string Dump(IRProgram program) => $"// {Folded} host op(s) folded\n" + IRPrinter.Print(program);
}
