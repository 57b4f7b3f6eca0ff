"""The inner loops of clustering and choosing canonicals, compiled with numba: one
component's all-pairs measures, its average-linkage tree, a cluster's containment shares.

Most components have two to five members, where the numpy and scipy calls these replace
cost more in call overheads than in arithmetic. Each kernel does the same floating-point
operations in the same order as its reference, so results are bit-identical (the tests
compare them): ``component_matrices`` with ``verify.pairwise`` + ``stages.verified``,
``average_linkage`` with scipy's ``linkage(..., method="average")``,
``containment_shares`` with numpy's division and ``sum(axis=0)``. ``stages``, ``cluster``
and ``canonical`` call them through typed code; like ``_kernels``, this module is untyped
and its compiled code is cached on disk (``cache=True``). A kernel here calls no kernel of
another module: numba's cache would keep a stale copy of it when only that module changes.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _share(shared, smaller):
    return shared / smaller if smaller > 0 else 0.0


@njit(cache=True)
def component_matrices(
    counts,
    name_counts,
    offsets,
    name_offsets,
    nodes,
    compilation,
    jaccard_threshold,
    containment_threshold,
    min_shared,
    min_entities,
    min_entity_agreement,
):
    """(shared, similarity, verified) of every pair of ``nodes`` from their shared shingle
    and name counts: the counts as floats; Jaccard for compilation-vs-story pairs, else
    containment, zeroed where names and figures disagree (1 on the diagonal); and whether
    the pair passes the exact check."""
    size = nodes.shape[0]
    shared = np.empty((size, size), dtype=np.float64)
    similarity = np.ones((size, size), dtype=np.float64)
    verified = np.zeros((size, size), dtype=np.bool_)
    for i in range(size):
        a = nodes[i]
        a_size = float(offsets[a + 1] - offsets[a])
        a_names = name_offsets[a + 1] - name_offsets[a]
        for j in range(size):
            b = nodes[j]
            b_size = float(offsets[b + 1] - offsets[b])
            b_names = name_offsets[b + 1] - name_offsets[b]
            common = float(counts[i, j])
            shared[i, j] = common
            if i == j:
                jaccard = containment = names_contained = 0.0
            else:
                jaccard = _share(common, a_size + b_size - common)
                containment = _share(common, min(a_size, b_size))
                names_contained = _share(float(name_counts[i, j]), float(min(a_names, b_names)))
            agree = 1.0 if min(a_names, b_names) < min_entities else names_contained
            mixed = compilation[a] != compilation[b]
            if i != j:
                similar = jaccard if mixed else containment
                similarity[i, j] = similar if agree >= min_entity_agreement else 0.0
            contained = containment >= containment_threshold and not mixed
            verified[i, j] = (
                agree >= min_entity_agreement
                and (jaccard >= jaccard_threshold or contained)
                and common >= min_shared
            )
    return shared, similarity, verified


@njit(cache=True)
def average_linkage(distances):
    """scipy's ``linkage(squareform(distances), method="average")``: the nearest-neighbour
    chain (ties to the previous link of the chain, then to the lowest index), the average
    update ``(nx * d_xi + ny * d_yi) / (nx + ny)``, then merges stably sorted by distance
    and relabelled. Only the upper triangle of ``distances`` is read, as squareform does."""
    n = distances.shape[0]
    d = np.empty((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = distances[i, j]
    size = np.ones(n, dtype=np.int64)
    chain = np.empty(n, dtype=np.int64)
    chain_length = 0
    merges = np.empty((n - 1, 4), dtype=np.float64)
    x = y = 0
    for k in range(n - 1):
        if chain_length == 0:
            chain_length = 1
            for i in range(n):
                if size[i] > 0:
                    chain[0] = i
                    break
        while True:
            x = chain[chain_length - 1]
            if chain_length > 1:
                y = chain[chain_length - 2]
                nearest = d[x, y]
            else:
                nearest = np.inf
            for i in range(n):
                if size[i] > 0 and i != x and d[x, i] < nearest:
                    nearest = d[x, i]
                    y = i
            if chain_length > 1 and y == chain[chain_length - 2]:
                break
            chain[chain_length] = y
            chain_length += 1
        chain_length -= 2
        if x > y:
            x, y = y, x
        nx = size[x]
        ny = size[y]
        merges[k, 0] = x
        merges[k, 1] = y
        merges[k, 2] = nearest
        merges[k, 3] = nx + ny
        size[x] = 0
        size[y] = nx + ny
        for i in range(n):
            if size[i] > 0 and i != y:
                d[i, y] = d[y, i] = (nx * d[i, x] + ny * d[i, y]) / (nx + ny)
    tree = _sorted_by_distance(merges)
    _relabel(tree, n)
    return tree


@njit(cache=True)
def _sorted_by_distance(merges):
    """The merges stably sorted by distance, as scipy's mergesort sorts them; by insertion,
    which numba compiles in a fraction of the time ``np.argsort`` takes."""
    order = np.arange(merges.shape[0])
    for k in range(1, order.shape[0]):
        item = order[k]
        j = k - 1
        while j >= 0 and merges[order[j], 2] > merges[item, 2]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = item
    tree = np.empty_like(merges)
    for k in range(order.shape[0]):
        for column in range(4):
            tree[k, column] = merges[order[k], column]
    return tree


@njit(cache=True)
def _relabel(tree, n):
    """Name each merge's children by the clusters they were at that step (scipy's
    ``label``): leaves keep 0..n-1, merge k becomes n + k."""
    parent = np.arange(2 * n - 1)
    counts = np.ones(2 * n - 1, dtype=np.int64)
    for k in range(n - 1):
        left = _root(parent, int(tree[k, 0]))
        right = _root(parent, int(tree[k, 1]))
        tree[k, 0] = min(left, right)
        tree[k, 1] = max(left, right)
        parent[left] = parent[right] = n + k
        counts[n + k] = counts[left] + counts[right]
        tree[k, 3] = counts[n + k]


@njit(cache=True, inline="always")
def _root(parent, node):
    while parent[node] != node:
        node = parent[node]
    return node


@njit(cache=True)
def containment_shares(shared, sizes):
    """(contained, completeness) of a cluster's members: ``contained[i, j]`` is the share of
    member i's shingles (``sizes[i]``, at least 1) found in member j, 1 on the diagonal;
    completeness is each column's mean over the other members, the column totals added
    row by row as numpy's ``sum(axis=0)`` adds them."""
    n = shared.shape[0]
    contained = np.empty((n, n), dtype=np.float64)
    totals = np.zeros(n, dtype=np.float64)
    for i in range(n):
        size = max(sizes[i], 1)
        for j in range(n):
            share = 1.0 if i == j else shared[i, j] / size
            contained[i, j] = share
            totals[j] += share
    return contained, (totals - 1.0) / max(n - 1, 1)
