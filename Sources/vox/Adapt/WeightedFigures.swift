/// Accuracy and per-class recall with each post weighted (by its sampling weight).
struct WeightedFigures {
    var accuracy: Double
    var recall: [Double]
    var macroRecall: Double { recall.reduce(0, +) / Double(max(1, recall.count)) }

    init(truth: [Int], predicted: [Int], weights: [Double], classes: Int) {
        var correct = 0.0
        var total = 0.0
        var hits = [Double](repeating: 0, count: classes)
        var mass = [Double](repeating: 0, count: classes)
        for index in truth.indices {
            let weight = weights[index]
            total += weight
            mass[truth[index]] += weight
            if truth[index] == predicted[index] {
                correct += weight
                hits[truth[index]] += weight
            }
        }
        accuracy = total > 0 ? correct / total : 0
        recall = zip(hits, mass).map { $1 > 0 ? $0 / $1 : 0 }
    }
}
