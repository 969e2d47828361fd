//! Strongly connected components, for the questions "is this schema recursive?" and "does this
//! type contain itself?", answered in linear time however large the spec.

/// The strongly connected component of every node (`edges[n]` lists the nodes `n` points to),
/// as component ids. Iterative Tarjan: no recursion, so long chains cannot overflow the stack.
pub fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        // (node, position in its edge list)
        let mut work = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (node, ref mut position)) = work.last_mut() {
            if let Some(&target) = edges[node].get(*position) {
                *position += 1;
                if target >= n {
                    continue;
                }
                if index[target] == UNSEEN {
                    index[target] = next_index;
                    low[target] = next_index;
                    next_index += 1;
                    stack.push(target);
                    on_stack[target] = true;
                    work.push((target, 0));
                } else if on_stack[target] {
                    low[node] = low[node].min(index[target]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// The nodes that lie on a cycle (their component has several nodes, or they point to
/// themselves).
pub fn on_cycle(edges: &[Vec<usize>]) -> Vec<bool> {
    let component = components(edges);
    let mut sizes = vec![0usize; edges.len()];
    for &c in &component {
        sizes[c] += 1;
    }
    (0..edges.len())
        .map(|n| sizes[component[n]] > 1 || edges[n].contains(&n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_chains() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        assert_eq!(on_cycle(&edges), [true, true, true, true, false]);
        let c = components(&edges);
        assert!(c[0] == c[1] && c[1] == c[2] && c[3] != c[0] && c[4] != c[0]);
        // A long chain is not a cycle, and does not overflow the stack.
        let chain: Vec<Vec<usize>> = (0..200_000)
            .map(|i| if i + 1 < 200_000 { vec![i + 1] } else { vec![] })
            .collect();
        assert!(on_cycle(&chain).iter().all(|c| !c));
    }
}
