import Foundation

/// What a team's own labels say about a classifier's errors on its domain: the confusion matrix of the adapted
/// model, estimated by k-fold cross-validation over the labels (each fold's model never saw the rows it scored),
/// with each labelled post weighted by the inverse of its chance of being sampled (`vox label sample`).
///
/// It corrects a window's class shares for the classifier's known errors (adjusted classify-and-count, ACC):
/// with `M[p][t] = P(predicted p | true t)` and the observed shares `q`, the true shares `π` solve `M π = q`.
public struct DomainEstimate: Codable, Sendable, Equatable {
    /// The classes, in the head's order.
    public var labels: [String]
    /// Weighted counts: `confusion[t][p]` for true class `t` predicted as `p`.
    public var confusion: [[Double]]
    /// Effective labelled posts per true class (Kish: `(Σw)² / Σw²`), the sample size behind each column of `M`.
    public var effective: [Double]
    /// Labelled posts behind the estimate.
    public var labelled: Int
    /// Cross-validation folds.
    public var folds: Int

    enum CodingKeys: String, CodingKey {
        case labels, confusion, effective, labelled, folds
    }

    /// Builds the estimate from cross-validated predictions.
    /// - Parameters:
    ///   - labels: The classes.
    ///   - rows: For each labelled post: its true class, the class the held-out model predicted, and its weight.
    ///   - folds: How many folds produced the predictions.
    public init(labels: [String], rows: [(truth: Int, predicted: Int, weight: Double)], folds: Int) {
        let k = labels.count
        self.labels = labels
        var confusion = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var sums = [Double](repeating: 0, count: k)
        var squares = [Double](repeating: 0, count: k)
        for row in rows where (0..<k).contains(row.truth) && (0..<k).contains(row.predicted) && row.weight > 0 {
            confusion[row.truth][row.predicted] += row.weight
            sums[row.truth] += row.weight
            squares[row.truth] += row.weight * row.weight
        }
        self.confusion = confusion
        effective = zip(sums, squares).map { $1 > 0 ? $0 * $0 / $1 : 0 }
        labelled = rows.count
        self.folds = folds
    }

    /// `M[p][t] = P(predicted p | true t)`; nil when a class has no labelled posts.
    public var conditional: [[Double]]? {
        let k = labels.count
        let totals = confusion.map { $0.reduce(0, +) }
        guard confusion.count == k, totals.allSatisfy({ $0 > 0 }) else { return nil }
        return (0..<k).map { p in (0..<k).map { t in confusion[t][p] / totals[t] } }
    }

    /// Per-class recall on the labels (cross-validated, weighted).
    public var recall: [Double] {
        confusion.indices.map { t in
            let total = confusion[t].reduce(0, +)
            return total > 0 ? confusion[t][t] / total : 0
        }
    }

    /// Whether the estimate can correct shares: every class labelled, `M` well conditioned.
    public var usable: Bool {
        guard let m = conditional, labels.count >= 2 else { return false }
        return LinearSolve.inverse(m) != nil
    }
}

/// Small dense linear algebra for the share correction (a 3 × 3 system in practice).
enum LinearSolve {
    /// The inverse of a square matrix by Gauss–Jordan elimination with partial pivoting; nil when singular.
    static func inverse(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        guard n > 0, matrix.allSatisfy({ $0.count == n }) else { return nil }
        var a = matrix
        var inverse = (0..<n).map { row in (0..<n).map { $0 == row ? 1.0 : 0.0 } }
        for column in 0..<n {
            guard
                let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }),
                abs(a[pivot][column]) > 1e-9
            else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let scale = a[column][column]
            for j in 0..<n {
                a[column][j] /= scale
                inverse[column][j] /= scale
            }
            for row in 0..<n where row != column {
                let factor = a[row][column]
                if factor == 0 { continue }
                for j in 0..<n {
                    a[row][j] -= factor * a[column][j]
                    inverse[row][j] -= factor * inverse[column][j]
                }
            }
        }
        return inverse
    }

    /// `matrix · vector`.
    static func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    /// `a · s · bᵀ` for square matrices.
    static func sandwich(_ a: [[Double]], _ s: [[Double]]) -> [[Double]] {
        let n = a.count
        var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n {
                    for l in 0..<n { sum += a[i][k] * s[k][l] * a[j][l] }
                }
                out[i][j] = sum
            }
        }
        return out
    }
}
