namespace DyCompile.Compiler.Tests;

/// <summary>One model per construct of the compiled subset, compiled once for all construct tests.</summary>
public static class ConstructModels
{
    public static readonly Lazy<CompiledModels> Compiled = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    public const string Source = """
        [DyCompile]
        public sealed class Mlp : Module
        {
            private readonly Linear _fc1;
            private readonly Linear _fc2;
            public Mlp(Random g)
            {
                _fc1 = RegisterModule("fc1", new Linear(4, 8, generator: g));
                _fc2 = RegisterModule("fc2", new Linear(8, 3, generator: g));
            }
            public Tensor Forward(Tensor x) => _fc2.Forward(_fc1.Forward(x).Relu()).Softmax(-1);
        }

        [DyCompile]
        public sealed class TwoInputs : Module
        {
            public TwoInputs(Random g) { }
            public (Tensor Sum, Tensor Product) Forward(Tensor a, Tensor b)
            {
                var s = a + b;
                var p = a * b - 2f;
                return (s.Tanh(), p.Sigmoid());
            }
        }

        [DyCompile]
        public sealed class IfElse : Module
        {
            public IfElse(Random g) { }
            public Tensor Forward(Tensor x, float threshold)
            {
                Tensor y;
                if (x.Sum().Item() > threshold)
                    y = x.Relu();
                else
                    y = x.Neg().Exp();
                return y * 2f;
            }
        }

        [DyCompile]
        public sealed class WhileBreak : Module
        {
            private readonly Linear _step;
            public WhileBreak(Random g) { _step = RegisterModule("step", new Linear(4, 4, generator: g)); }
            public (Tensor, int) Forward(Tensor x, int maxSteps)
            {
                var h = x;
                var steps = 0;
                while (steps < maxSteps)
                {
                    h = _step.Forward(h).Tanh();
                    steps++;
                    if (h.Abs().Max().Item() < 0.5f) break;
                }
                return (h, steps);
            }
        }

        [DyCompile]
        public sealed class DoWhile : Module
        {
            public DoWhile(Random g) { }
            public (Tensor, int) Forward(Tensor x)
            {
                var n = 0;
                do
                {
                    x = x * 0.5f;
                    n = n + 1;
                } while (x.Abs().Sum().Item() > 1f);
                return (x, n);
            }
        }

        [DyCompile]
        public sealed class ForContinue : Module
        {
            public ForContinue(Random g) { }
            public (Tensor, int) Forward(Tensor x, int count)
            {
                var acc = x;
                var skipped = 0;
                for (var i = 0; i < count; i++)
                {
                    if (i % 2 == 1 && acc.Mean().Item() > 0f)
                    {
                        skipped += 1;
                        continue;
                    }
                    acc = acc + x * (float)i;
                }
                return (acc, skipped);
            }
        }

        [DyCompile]
        public sealed class Stack : Module
        {
            private readonly ModuleList<Linear> _layers;
            public Stack(Random g)
            {
                _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }
            public Tensor Forward(Tensor x)
            {
                foreach (var layer in _layers)
                    x = layer.Forward(x).Relu() + x;
                return x;
            }
        }

        [DyCompile]
        public sealed class ArrayOfLayers : Module
        {
            private readonly Linear[] _blocks;
            public ArrayOfLayers(Random g)
            {
                _blocks = [new Linear(3, 3, generator: g), new Linear(3, 3, generator: g)];
                for (var i = 0; i < _blocks.Length; i++) RegisterModule("block" + i, _blocks[i]);
            }
            public Tensor Forward(Tensor x)
            {
                foreach (var b in _blocks) x = b.Forward(x).Sigmoid();
                return x;
            }
        }

        [DyCompile]
        public sealed class SkipLayers : Module
        {
            private readonly ModuleList<Linear> _layers;
            public SkipLayers(Random g)
            {
                _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }
            public (Tensor, int) Forward(Tensor x, float gate)
            {
                var used = 0;
                for (var i = 0; i < _layers.Count; i++)
                {
                    if (x.Mean().Item() > gate) continue;
                    x = _layers[i].Forward(x);
                    used++;
                }
                return (x, used);
            }
        }

        [DyCompile]
        public sealed class EarlyExit : Module
        {
            private readonly ModuleList<Linear> _blocks;
            private readonly ModuleList<Linear> _exits;
            private readonly float _confidence = 0.6f;
            public EarlyExit(Random g)
            {
                _blocks = RegisterModule("blocks", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
                _exits = RegisterModule("exits", new ModuleList<Linear>([new Linear(4, 3, generator: g), new Linear(4, 3, generator: g)]));
            }
            public (Tensor, int) Forward(Tensor x)
            {
                var depth = 0;
                foreach (var block in _blocks)
                {
                    x = block.Forward(x).Relu();
                    var probs = _exits[depth].Forward(x).Softmax(-1);
                    depth++;
                    if (probs.Max().Item() > _confidence) return (probs, depth);
                }
                return (_exits[1].Forward(x).Softmax(-1), -1);
            }
        }

        [DyCompile]
        public sealed class Logic : Module
        {
            public Logic(Random g) { }
            public Tensor Forward(Tensor x, float lo, float hi, bool invert)
            {
                var m = x.Mean().Item();
                var inside = m > lo && m < hi;
                var outside = m < lo || m > hi;
                var scale = inside ? 2f : (outside ? -1f : 0.5f);
                if (invert ^ inside) scale = scale + 1f;
                if (!outside) x = x + 1f;
                return x * scale;
            }
        }

        [DyCompile]
        public sealed class Switch : Module
        {
            public Switch(Random g) { }
            public Tensor Forward(Tensor x, int mode)
            {
                switch (mode)
                {
                    case 0:
                        x = x.Relu();
                        break;
                    case 1:
                    case 2:
                        x = x.Tanh();
                        break;
                    default:
                        x = x.Sigmoid();
                        break;
                }
                var k = mode switch { 0 => 1f, > 5 => 3f, _ => 2f };
                return x * k;
            }
        }

        [DyCompile]
        public sealed class Helpers : Module
        {
            private readonly Linear _fc;
            public Helpers(Random g) { _fc = RegisterModule("fc", new Linear(4, 4, generator: g)); }
            private Tensor Gate(Tensor h, float t)
            {
                if (h.Sum().Item() > t) return h.Relu();
                return Scale(h, 0.5f);
            }
            private static Tensor Scale(Tensor h, float s) => h * s;
            public Tensor Forward(Tensor x, float t)
            {
                var h = _fc.Forward(x);
                var g = Gate(h, t);
                return g + Gate(x, t + 1f);
            }
        }

        public sealed class Residual : Module
        {
            private readonly Linear _inner;
            private readonly float _scale;
            public Residual(int width, float scale, Random g)
            {
                _scale = scale;
                _inner = RegisterModule("inner", new Linear(width, width, generator: g));
            }
            public Tensor Forward(Tensor x)
            {
                var y = _inner.Forward(x);
                if (y.Mean().Item() > 0f) return x + y * _scale;
                return x;
            }
        }

        [DyCompile]
        public sealed class UserModules : Module
        {
            private readonly ModuleList<Residual> _blocks;
            public UserModules(Random g)
            {
                _blocks = RegisterModule("blocks", new ModuleList<Residual>([new Residual(4, 0.5f, g), new Residual(4, 2f, g)]));
            }
            public Tensor Forward(Tensor x)
            {
                foreach (var b in _blocks) x = b.Forward(x);
                return x;
            }
        }

        [DyCompile]
        public sealed class Folding : Module
        {
            private const int Repeats = 2;
            private readonly float _bias = 0.25f;
            private readonly int[] _dims = [1];
            private readonly Tensor _offset;
            public Folding(Random g) { _offset = Tensor.FromArray(new float[] { 1f, 2f, 3f, 4f }, 4); }
            public Tensor Forward(Tensor x)
            {
                var k = Repeats * 3 + 1;
                var f = _bias * k / 2f;
                var y = (x + _offset) * f;
                return y.Sum(_dims, true);
            }
        }

        [DyCompile]
        public sealed class HostMath : Module
        {
            public HostMath(Random g) { }
            public (Tensor, int, float, bool) Forward(Tensor x, int n, float t)
            {
                var q = n / 3;
                var r = n % 3;
                var m = Math.Max(q, r) - Math.Min(q, 2);
                var f = (float)n * 0.5f - t;
                var i = (int)(f * 2f);
                var neg = -f;
                var big = f >= 1f == (n > 4);
                return (x * (float)(m + i), q * 10 + r, neg, big);
            }
        }

        [DyCompile]
        public sealed class Generator : Module
        {
            private readonly LSTMCell _cell;
            private readonly Linear _head;
            public Generator(Random g)
            {
                _cell = RegisterModule("cell", new LSTMCell(3, 5, generator: g));
                _head = RegisterModule("head", new Linear(5, 3, generator: g));
            }
            public (Tensor, int) Forward(Tensor x, int maxTokens, float stop)
            {
                var (h, c) = _cell.Forward(x);
                var tokens = 1;
                while (tokens < maxTokens)
                {
                    var next = _head.Forward(h).Softmax(-1);
                    if (next.Max().Item() > stop) break;
                    (h, c) = _cell.Forward(next, (h, c));
                    tokens++;
                }
                return (h, tokens);
            }
        }

        [DyCompile]
        public sealed class ConvNet : Module
        {
            private readonly Conv2d _conv;
            private readonly BatchNorm2d _bn;
            private readonly LayerNorm _norm;
            private readonly Embedding _embed;
            public ConvNet(Random g)
            {
                _conv = RegisterModule("conv", new Conv2d(2, 3, 3, padding: 1, generator: g));
                _bn = RegisterModule("bn", new BatchNorm2d(3));
                _norm = RegisterModule("norm", new LayerNorm(4));
                _embed = RegisterModule("embed", new Embedding(5, 4, generator: g));
            }
            public (Tensor, Tensor) Forward(Tensor image, Tensor tokens)
            {
                var y = _bn.Forward(_conv.Forward(image)).Relu();
                var pooled = TensorOps.MaxPool2d(y, [2, 2], [2, 2], [0, 0]);
                var e = _norm.Forward(_embed.Forward(tokens));
                return (pooled, e);
            }
        }

        [DyCompile]
        public sealed class Factories : Module
        {
            public Factories(Random g) { }
            public (Tensor, Tensor) Forward(Tensor x, float v)
            {
                var acc = Tensor.Zeros(4);
                for (var i = 0; i < 3; i++) acc = acc + x * (float)i;
                var bias = Tensor.Full(v, 4);
                return (acc + Tensor.Scalar(0.5f), bias * x + Tensor.Full(2f, 4) + Tensor.Scalar(v));
            }
        }

        [DyCompile]
        public sealed class TensorApi : Module
        {
            public TensorApi(Random g) { }
            public (Tensor, Tensor, Tensor, Tensor) Forward(Tensor x)
            {
                var parts = TensorOps.Split(x, [2, 2], 1);
                var joined = TensorOps.Concat([parts[1], parts[0]], 1);
                var (values, indices) = TensorOps.TopK(joined, 2, 1, true);
                var picked = TensorOps.Where(TensorOps.Gt(x, TensorOps.Mean(x, [1], true)), x, joined.Transpose(0, 1).Transpose(0, 1));
                var narrowed = x.Narrow(1, -2, 2).Reshape(-1).Unsqueeze(0);
                return (values + picked.Sum([1], true), indices.Cast(DType.Float32), narrowed.Clamp(-0.5f, 0.5f), x.ArgMax(1).Cast(DType.Float32).Pow(2f));
            }
        }

        [DyCompile]
        public sealed class MixtureOfExperts : Module
        {
            private readonly Linear _gate;
            public ModuleList<Linear> Experts { get; }
            public MixtureOfExperts(Random g)
            {
                _gate = RegisterModule("gate", new Linear(4, 3, generator: g));
                Experts = RegisterModule("experts", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }
            public Tensor Forward(Tensor token)
            {
                var scores = _gate.Forward(token).Softmax(-1);
                var (weights, chosen) = TensorOps.TopK(scores, 2, 1, true);
                var mixed = Tensor.Zeros(1, 4);
                for (var j = 0; j < 2; j++)
                {
                    var w = weights.Narrow(1, j, 1);
                    var expert = (int)chosen.Narrow(1, j, 1).Item();
                    mixed = mixed + w * Experts[expert].Forward(token);
                }
                return mixed;
            }
        }

        public sealed class Learner : Module
        {
            private readonly Linear _fc;
            public Learner(Random g) { _fc = RegisterModule("fc", new Linear(4, 4, generator: g)); }
            public Tensor Forward(Tensor x)
            {
                var y = _fc.Forward(x);
                if (y.Sum().Item() > 0f) return y.Relu();
                return y.Tanh();
            }
        }

        [DyCompile]
        public sealed class AdaptiveDepth : Module
        {
            private readonly LayerNorm _norm;
            private readonly Learner[] _learners;
            public AdaptiveDepth(Random g)
            {
                _norm = RegisterModule("norm", new LayerNorm(4));
                _learners = [RegisterModule("l0", new Learner(g)), RegisterModule("l1", new Learner(g)), RegisterModule("l2", new Learner(g))];
            }
            public Tensor Forward(Tensor x, int count)
            {
                var normed = _norm.Forward(x);
                var sum = Tensor.Zeros(1, 4);
                for (var j = 0; j < count; j++) sum = sum + _learners[j].Forward(normed);
                return sum;
            }
        }

        [DyCompile]
        public sealed class GreedyDecoder : Module
        {
            private readonly Embedding _embed;
            private readonly LSTMCell _cell;
            private readonly Linear _head;
            public GreedyDecoder(Random g)
            {
                _embed = RegisterModule("embed", new Embedding(6, 3, generator: g));
                _cell = RegisterModule("cell", new LSTMCell(3, 5, generator: g));
                _head = RegisterModule("head", new Linear(5, 6, generator: g));
            }
            public (Tensor, int) Forward(Tensor start, int max, float stop)
            {
                var sequence = start;
                var (h, c) = _cell.Forward(_embed.Forward(start).Reshape(1, 3));
                var step = 0;
                while (step < max)
                {
                    var probs = _head.Forward(h).Softmax(-1);
                    var next = probs.ArgMax(1, true);
                    sequence = TensorOps.Concat([sequence, next], 1);
                    step++;
                    if (probs.Max().Item() > stop) break;
                    (h, c) = _cell.Forward(_embed.Forward(next).Reshape(1, 3), (h, c));
                }
                return (sequence, step);
            }
        }

        [DyCompile]
        public sealed class Captioner : Module
        {
            private readonly LSTMCell _cell;
            private readonly Linear _head;
            private readonly Embedding _embed;
            public Captioner(Random g)
            {
                _cell = RegisterModule("cell", new LSTMCell(5, 5, generator: g));
                _head = RegisterModule("head", new Linear(5, 6, generator: g));
                _embed = RegisterModule("embed", new Embedding(6, 5, generator: g));
            }
            public (Tensor, float) Forward(Tensor feature, int max, float stop)
            {
                var caption = Tensor.Zeros(DType.Int64, 1, 0);
                var (h, c) = _cell.Forward(feature);
                var score = 0f;
                for (var t = 0; t < max; t++)
                {
                    var probs = _head.Forward(h).Softmax(-1);
                    var token = probs.ArgMax(1, true);
                    caption = TensorOps.Concat([caption, token], 1);
                    score = score + probs.Max().Item();
                    if (probs.Max().Item() > stop) break;
                    (h, c) = _cell.Forward(_embed.Forward(token).Reshape(1, 5), (h, c));
                }
                return (caption, score);
            }
        }

        public sealed class ScaledBlock : Module
        {
            private readonly Linear _fc;
            public ScaledBlock(Random g)
            {
                _fc = RegisterModule("fc", new Linear(4, 4, generator: g));
                RegisterParameter("scale", Tensor.Full(1.5f, 4));
                RegisterBuffer("shift", Tensor.Full(-0.25f, 4));
            }
            public Tensor Forward(Tensor x) => _fc.Forward(x) * Get("scale") + Get("shift");
        }

        [DyCompile]
        public sealed class NamedWeights : Module
        {
            private const string GainName = "gain";
            private readonly ScaledBlock _block;
            public NamedWeights(Random g)
            {
                _block = RegisterModule("block", new ScaledBlock(g));
                RegisterParameter(GainName, Tensor.Full(2f, 4));
            }
            public Tensor Forward(Tensor x) => _block.Forward(x) * Get(GainName);
        }

        [DyCompile]
        public sealed class AdaptiveTokens : Module
        {
            private readonly LayerNorm _norm;
            private readonly Linear _gate;
            public ModuleList<Learner> Learners { get; }
            public AdaptiveTokens(Random g)
            {
                _norm = RegisterModule("norm", new LayerNorm(4));
                _gate = RegisterModule("gate", new Linear(4, 3, generator: g));
                Learners = RegisterModule("learners", new ModuleList<Learner>([new Learner(g), new Learner(g), new Learner(g)]));
            }
            public (Tensor, int) Forward(Tensor x)
            {
                var output = Tensor.Zeros(0, 4);
                var total = 0;
                for (var t = 0; t < x.Dim(1); t++)
                {
                    var token = x.Narrow(1, t, 1).Reshape(1, 4);
                    var normed = _norm.Forward(token);
                    var count = (int)_gate.Forward(normed).ArgMax(1).Item() + 1;
                    var sum = token;
                    for (var j = 0; j < count; j++) sum = sum + Learners[j].Forward(normed);
                    output = TensorOps.Concat([output, sum], 0);
                    total += count;
                }
                return (output, total);
            }
        }

        public sealed class Router : Module
        {
            private readonly ModuleList<LSTMCell> _cells;
            public Router(Random g)
            {
                _cells = RegisterModule("cells", new ModuleList<LSTMCell>([new LSTMCell(3, 3, generator: g), new LSTMCell(3, 3, generator: g)]));
            }
            public (Tensor, Tensor) Forward(Tensor x, int k, (Tensor, Tensor) state)
            {
                if (k < 0) return state;
                return _cells[k].Forward(x, state);
            }
        }

        [DyCompile]
        public sealed class RoutedCells : Module
        {
            private readonly Router _router;
            public RoutedCells(Random g) { _router = RegisterModule("router", new Router(g)); }
            public Tensor Forward(Tensor x, int steps)
            {
                var h = Tensor.Zeros(1, 3);
                var c = Tensor.Zeros(1, 3);
                for (var i = 0; i < steps; i++)
                    (h, c) = _router.Forward(x, i % 3 - 1, (h, c));
                return h + c;
            }
        }

        [DyCompile]
        public sealed class PickThenCall : Module
        {
            public ModuleList<Linear> Heads { get; }
            public PickThenCall(Random g)
            {
                Heads = RegisterModule("heads", new ModuleList<Linear>([new Linear(3, 2, generator: g), new Linear(3, 2, generator: g)]));
            }
            public Tensor Forward(Tensor x, int head)
            {
                var picked = Heads[head];
                var y = Squash(x);
                return picked.Forward(y);
            }
            private Tensor Squash(Tensor x)
            {
                if (x.Sum().Item() > 0f) return x.Tanh();
                return x.Sigmoid();
            }
        }

        [DyCompile]
        public sealed class TrimOrRepeat : Module
        {
            public TrimOrRepeat(Random g) { }
            public (Tensor, Tensor) Forward(Tensor x, float t)
            {
                var y = Pick(x, t);
                return (y.Sum([1], true), y);
            }
            private Tensor Pick(Tensor x, float t)
            {
                if (x.Sum().Item() > t) return x.Narrow(1, 0, 2);
                return TensorOps.Concat([x, x], 1);
            }
        }

        // BlockDrop's pattern: a policy module whose indexed loop computes a shortcut from its
        // counter (widening the tensor) before indexing its layers, then a loop over blocks that
        // run or are skipped by the policy, with a shortcut that widens at a group boundary.
        [DyCompile]
        public sealed class BlockDropPattern : Module
        {
            public BlockDropPattern(Random g)
            {
                Policy = RegisterModule("policy", new ShortcutPolicy(g));
                Bodies = RegisterModule("bodies", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 8, generator: g)]));
            }
            public ShortcutPolicy Policy { get; }
            public ModuleList<Linear> Bodies { get; }
            public (Tensor Output, Tensor Policy) Forward(Tensor x)
            {
                var probabilities = Policy.Forward(x).Sigmoid();
                for (var t = 0; t < Bodies.Count; t++)
                {
                    var shortcut = ShortcutPolicy.Shortcut(x, t, 2);
                    if (probabilities.Narrow(1, t, 1).Item() > 0.5f)
                        x = (shortcut + Bodies[t].Forward(x)).Relu();
                    else
                        x = shortcut;
                }
                return (x, probabilities);
            }
        }

        public sealed class ShortcutPolicy : Module
        {
            public ShortcutPolicy(Random g)
            {
                Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 8, generator: g), new Linear(8, 16, generator: g)]));
                Head = RegisterModule("head", new Linear(16, 3, generator: g));
            }
            public ModuleList<Linear> Layers { get; }
            public Linear Head { get; }
            public Tensor Forward(Tensor x)
            {
                for (var b = 0; b < Layers.Count; b++)
                    x = (Shortcut(x, b, 1) + Layers[b].Forward(x)).Relu();
                return Head.Forward(x);
            }
            public static Tensor Shortcut(Tensor x, int index, int perGroup) =>
                index > 0 && index % perGroup == 0 ? TensorOps.Concat([x, x * 0f], 1) : x;
        }

        // Several sequences growing in nested loops, each along its own dimension: every loop head
        // widens, and the widenings of the outer head follow from those of the inner one.
        [DyCompile]
        public sealed class NestedGrowth : Module
        {
            public NestedGrowth(Random g) { }
            public (Tensor Rows, Tensor Cols, Tensor Grid, Tensor Trail) Forward(Tensor x, int outer, int inner)
            {
                var rows = x;
                var cols = x;
                var grid = x.Unsqueeze(0);
                var trail = x;
                for (var i = 0; i < outer; i++)
                {
                    rows = TensorOps.Concat([rows, x * 2f], 0);
                    for (var j = 0; j < inner; j++)
                    {
                        cols = TensorOps.Concat([cols, x + 1f], 1);
                        grid = TensorOps.Concat([grid, grid.Narrow(1, 0, 1)], 1);
                        var k = 0;
                        while (k < j)
                        {
                            trail = TensorOps.Concat([trail, rows.Narrow(0, 0, 1)], 1);
                            k++;
                        }
                    }
                    grid = TensorOps.Concat([grid, grid.Narrow(0, 0, 1)], 0);
                }
                return (rows, cols.Tanh(), grid, trail);
            }
        }

        // A module list whose elements give different widths: the dispatch's result is [1, ?].
        [DyCompile]
        public sealed class SizedExperts : Module
        {
            private readonly Linear _gate;
            public ModuleList<Linear> Experts { get; }
            public SizedExperts(Random g)
            {
                _gate = RegisterModule("gate", new Linear(4, 3, generator: g));
                Experts = RegisterModule("experts", new ModuleList<Linear>([new Linear(4, 2, generator: g), new Linear(4, 5, generator: g), new Linear(4, 3, generator: g)]));
            }
            public (Tensor Output, Tensor Total) Forward(Tensor token)
            {
                var expert = (int)_gate.Forward(token).ArgMax(1).Item();
                var y = Experts[expert].Forward(token).Relu();
                return (y, y.Sum(1));
            }
        }
        // Ten loops over one module list, each counter kept known by a restart of its own.
        [DyCompile]
        public sealed class ManyIndexedLoops : Module
        {
            public ModuleList<Linear> Layers { get; }
            public ManyIndexedLoops(Random g) =>
                Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            public Tensor Forward(Tensor x)
            {
                for (var a = 0; a < Layers.Count; a++) x = Layers[a].Forward(x).Tanh();
                for (var b = 0; b < Layers.Count; b++) x = Layers[b].Forward(x).Tanh();
                for (var c = 0; c < Layers.Count; c++) x = Layers[c].Forward(x).Tanh();
                for (var d = 0; d < Layers.Count; d++) x = Layers[d].Forward(x).Tanh();
                for (var e = 0; e < Layers.Count; e++) x = Layers[e].Forward(x).Tanh();
                for (var f = 0; f < Layers.Count; f++) x = Layers[f].Forward(x).Tanh();
                for (var g = 0; g < Layers.Count; g++) x = Layers[g].Forward(x).Tanh();
                for (var h = 0; h < Layers.Count; h++) x = Layers[h].Forward(x).Tanh();
                for (var j = 0; j < Layers.Count; j++) x = Layers[j].Forward(x).Tanh();
                for (var k = 0; k < Layers.Count; k++) x = Layers[k].Forward(x).Tanh();
                return x;
            }
        }
        """;
}
