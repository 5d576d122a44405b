namespace DyCompile.Runtime.Nn;

/// <summary>One step of an LSTM, as torch.nn.LSTMCell. Gates are stacked in PyTorch's order
/// i, f, g, o in weight_ih [4h, in], weight_hh [4h, h], bias_ih [4h] and bias_hh [4h]:
/// <code>
/// i = σ(x·W_iiᵀ + b_ii + h·W_hiᵀ + b_hi)    f = σ(…)    g = tanh(…)    o = σ(…)
/// c' = f·c + i·g    h' = o·tanh(c')
/// </code></summary>
public sealed class LSTMCell : Module
{
    private readonly Tensor _zeroBias;

    public LSTMCell(int inputSize, int hiddenSize, bool bias = true, Random? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        var random = Init.Generator(generator);
        var bound = Init.FanInBound(hiddenSize); // PyTorch bounds every recurrent weight by 1/√hidden
        RegisterParameter("weight_ih", Init.Uniform(random, bound, 4 * hiddenSize, inputSize));
        RegisterParameter("weight_hh", Init.Uniform(random, bound, 4 * hiddenSize, hiddenSize));
        if (bias)
        {
            RegisterParameter("bias_ih", Init.Uniform(random, bound, 4 * hiddenSize));
            RegisterParameter("bias_hh", Init.Uniform(random, bound, 4 * hiddenSize));
        }
        _zeroBias = Tensor.Zeros(4 * hiddenSize);
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    public Tensor WeightIh => Get("weight_ih");

    public Tensor WeightHh => Get("weight_hh");

    public Tensor? BiasIh => GetOrNull("bias_ih");

    public Tensor? BiasHh => GetOrNull("bias_hh");

    /// <summary>Advances the state by one input: x is [batch, in] (or [in] for one sample) and
    /// h, c are [batch, hidden] (or [hidden]); a missing state starts at zeros.</summary>
    public (Tensor H, Tensor C) Forward(Tensor x, (Tensor H, Tensor C)? state = null)
    {
        if (x.Rank is not (1 or 2) || x.Dim(-1) != InputSize)
            throw new TensorOpException("lstm_cell", $"input must be [batch, {InputSize}] or [{InputSize}], got shape {Shapes.Format(x.Shape)}");
        int[] stateShape = x.Rank == 2 ? [x.Dim(0), HiddenSize] : [HiddenSize];
        var (h, c) = state ?? (Tensor.Zeros(stateShape), Tensor.Zeros(stateShape));
        if (!h.Shape.SequenceEqual(stateShape) || !c.Shape.SequenceEqual(stateShape))
            throw new TensorOpException("lstm_cell", $"state must be {Shapes.Format(stateShape)} for input {Shapes.Format(x.Shape)}, got h {Shapes.Format(h.Shape)} and c {Shapes.Format(c.Shape)}");

        var gates = TensorOps.Add(
            TensorOps.Linear(x, WeightIh, BiasIh ?? _zeroBias),
            TensorOps.Linear(h, WeightHh, BiasHh ?? _zeroBias));
        var parts = TensorOps.Split(gates, [HiddenSize, HiddenSize, HiddenSize, HiddenSize], -1);
        var input = TensorOps.Sigmoid(parts[0]);
        var forget = TensorOps.Sigmoid(parts[1]);
        var cell = TensorOps.Tanh(parts[2]);
        var output = TensorOps.Sigmoid(parts[3]);
        var nextC = TensorOps.Add(TensorOps.Mul(forget, c), TensorOps.Mul(input, cell));
        var nextH = TensorOps.Mul(output, TensorOps.Tanh(nextC));
        return (nextH, nextC);
    }
}
