// The words the renderers in src/lib/viz draw themselves; their English lives with them
// (viz/words.ts, so the renderers work without the app), the Chinese here.

import { VIZ_EN } from '$lib/viz/words';

export const en = VIZ_EN;

export const zh: Record<keyof typeof en, string> = {
  'viz.rowsCols': '行：{rows}。列：{cols}。',
  'viz.heatmapHelp': '方向键在格子之间移动并读出权重；Home 和 End 跳到第一个和最后一个键，Page Up 和 Page Down 移动十行；Enter 选中该查询行；Escape 离开格子。',
  'viz.dataRange': '这些数据：{lo} 到 {hi}（色条下方的区段）',
  'viz.headFirst': '头 {h}',
  'viz.gridHelp': '方向键在头之间移动（每行是一层）；Enter 或空格选中该头；Shift+Enter 把它加入头视图或从中移除；Escape 离开。',
  'viz.gridTipPointer': '点击：选中 · Shift+点击：添加',
  'viz.gridTipKeys': 'Enter：选中 · Shift+Enter：添加',
  'viz.gridRowScaled': '每个头的每一行按它自己的最小值到最大值着色。',
  'viz.gridRowScaledLog': '每个头的每一行按它自己的最小值到最大值着色（对数）。',
  'viz.gridThumbs': '缩略图比矩阵小：每个像素显示它覆盖的格子中最大的权重。',
  'viz.headViewHelp': '上下方向键在词元之间移动并显示其连线；左键到查询，右键到键；Enter 固定该词元（并为 Q/K/V 视图选中一个查询）；Escape 离开。',
  'viz.alignmentHelp': '左右方向键沿词元移动并显示其连线；上键到源词元，下键到目标词元；Escape 离开。',
  'viz.layerAxis': '层',
  'viz.qkv.projections': '（按头从模型截取；d_k = {d}；{stack}，第 {layer} 层，第 {head} 个头）',
  'viz.qkv.everyKey': '对每个键 j',
  'viz.qkv.noScaling': 'T5 不做缩放',
  'viz.qkv.noScalingNote': '（T5 不除以 √d_k；缩放已并入其权重的初始化）',
  'viz.qkv.bias': '（第 {head} 个头的相对位置偏置，各层共用）',
  'viz.qkv.noBias': '没有位置偏置',
  'viz.qkv.nothingMasked': '（这里没有被掩码的键）',
  'viz.qkv.masked': '（查询不能看的位置为 −∞：它之后的键）',
  'viz.qkv.tappedProbs': '（截取的概率）',
  'viz.qkv.tappedContext': '（截取的上下文，在输出投影之前）',
  'viz.qkv.recomputed': '（在此重新计算）',
  'viz.qkv.contextRow': '截取的上下文（模型中这个头的输出）',
  'viz.qkv.qkLegend': 'q 和 k 的分量',
  'viz.qkv.vLegend': 'p·v 和输出的分量',
  'viz.qkv.check': '{mark} {what}：最大 |差值| = {diff}，共 {n} 个值（容差 {tol}）',
  'viz.qkv.checkOne': '{mark} {what}：最大 |差值| = {diff}，共 {n} 个值（容差 {tol}）',
  'viz.qkv.checkMissing': '{what}：记录中没有可对照的取值。',
  'viz.qkv.tappedScores': '截取的分数',
  'viz.qkv.keyHeader': '键',
  'viz.qkv.tappedS': '截取的 s',
  'viz.qkv.tappedP': '截取的 p',
  'viz.qkv.maskedCell': '已掩码',
  'viz.qkv.tappedProbsCheck': '截取的概率',
  'viz.qkv.tappedContextCheck': '截取的上下文',
};
