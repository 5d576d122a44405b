using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler.Lowering;

/// <summary><see cref="LSTMCell.Forward"/> as ops, gate for gate as the module computes it:
/// gates = linear(x, W_ih, b_ih) + linear(h, W_hh, b_hh), split in four along the last
/// dimension (i, f, g, o); c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c').</summary>
internal static class LstmCellExpansion
{
    public static AbstractValue Expand(ValueEmitter lowerer, LSTMCell cell, IReadOnlyList<AbstractValue> args, IOperation at)
    {
        var x = lowerer.Operand(args[0], at);
        var xType = (TensorType)x.Type;
        if (xType.Rank is not (1 or 2) || xType.Shape[^1] != cell.InputSize)
            throw lowerer.Failure(DiagnosticIds.ShapeError, at, $"LSTMCell input must be [batch, {cell.InputSize}] or [{cell.InputSize}], got {xType}");
        var zeroBias = Tensor.Zeros(4 * cell.HiddenSize);
        Value h, c;
        if (args.Count < 2 || args[1] is StaticValue { Object: null })
        {
            if (xType.Rank == 2 && xType.Shape[0] == TensorType.Dynamic)
                throw lowerer.Failure(DiagnosticIds.NotCompileTimeConstant, at, "a zero LSTM state needs the batch size at compile time; pass the state explicitly");
            var zeros = Tensor.Zeros(xType.Rank == 2 ? [xType.Shape[0], cell.HiddenSize] : [cell.HiddenSize]);
            h = lowerer.ConstTensor(zeros);
            c = lowerer.ConstTensor(zeros);
        }
        else if (args[1] is TupleValue { Items: [var hv, var cv] })
        {
            h = lowerer.Operand(hv, at);
            c = lowerer.Operand(cv, at);
        }
        else throw lowerer.Failure(DiagnosticIds.UnsupportedExpression, at, "pass the LSTM state as a tuple (h, c) or leave it out");

        var wih = lowerer.ModuleTensor(cell, nameof(LSTMCell.WeightIh), null, at);
        var whh = lowerer.ModuleTensor(cell, nameof(LSTMCell.WeightHh), null, at);
        var bih = lowerer.ModuleTensor(cell, nameof(LSTMCell.BiasIh), zeroBias, at);
        var bhh = lowerer.ModuleTensor(cell, nameof(LSTMCell.BiasHh), zeroBias, at);
        var gates = lowerer.Emit("add", [lowerer.Emit("linear", [x, wih, bih], null, at), lowerer.Emit("linear", [h, whh, bhh], null, at)], null, at);
        var hs = cell.HiddenSize;
        var parts = lowerer.EmitMany("split", [gates], new Attrs { { "sizes", new[] { hs, hs, hs, hs } }, { "dim", -1 } }, at);
        var input = lowerer.Emit("sigmoid", [parts[0]], null, at);
        var forget = lowerer.Emit("sigmoid", [parts[1]], null, at);
        var candidate = lowerer.Emit("tanh", [parts[2]], null, at);
        var output = lowerer.Emit("sigmoid", [parts[3]], null, at);
        var nextC = lowerer.Emit("add", [lowerer.Emit("mul", [forget, c], null, at), lowerer.Emit("mul", [input, candidate], null, at)], null, at);
        var nextH = lowerer.Emit("mul", [output, lowerer.Emit("tanh", [nextC], null, at)], null, at);
        return new TupleValue([new DynamicValue(nextH), new DynamicValue(nextC)]);
    }
}
