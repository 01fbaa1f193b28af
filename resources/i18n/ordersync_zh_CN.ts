<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="79"/>
        <source>Reconnect account</source>
        <translation>重新连接账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="79"/>
        <source>Add an account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="97"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="123"/>
        <source>leave empty for the vendor&apos;s address</source>
        <translation>留空则使用厂商的地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="96"/>
        <source>e.g. My shop, 我的店铺</source>
        <translation>例如：我的店铺、My shop</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="98"/>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="339"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="105"/>
        <source>Sign in with</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="116"/>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="124"/>
        <source>This address is my own server or proxy: send the credentials there</source>
        <translation>这是我自己的服务器或代理：把凭据发到这个地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="126"/>
        <source>made from the name</source>
        <translation>根据名称自动生成</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="127"/>
        <source>Letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;; recipe files refer to the account by it.</source>
        <translation>字母、数字、“-”“_”和“.”；流程文件用它指代这个账户。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="138"/>
        <source>Save and test</source>
        <translation>保存并测试</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="225"/>
        <source>API address</source>
        <translation>API 地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="227"/>
        <source>Account key</source>
        <translation>账户代号</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="228"/>
        <source>Sign in with %1</source>
        <translation>用 %1 登录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="246"/>
        <source>paste the whole key, BEGIN and END lines included (kept in the system keychain)</source>
        <translation>粘贴完整的私钥，包括 BEGIN 和 END 两行（保存在系统钥匙串中）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="253"/>
        <source>kept in the system keychain</source>
        <translation>保存在系统钥匙串中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="254"/>
        <source>type it again to change it</source>
        <translation>如需更改请重新输入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="359"/>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="422"/>
        <source>Please fill in: %1</source>
        <translation>请填写：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="364"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="391"/>
        <source>Saved, but the test failed:</source>
        <translation>已保存，但测试没有通过：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="395"/>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="447"/>
        <source>Connected.</source>
        <translation>已连接。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="397"/>
        <source>Connected “%1”.</source>
        <translation>已连接“%1”。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="428"/>
        <source>Preparing the sign-in…</source>
        <translation>正在准备登录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="441"/>
        <source>Finish signing in in your web browser; this window waits for it.</source>
        <translation>请在网页浏览器中完成登录；此窗口会等待。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="443"/>
        <source>Could not open the web browser. Open this address yourself: %1</source>
        <translation>无法打开网页浏览器。请自行打开此地址：%1</translation>
    </message>
</context>
<context>
    <name>AccountsPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="464"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="466"/>
        <source>Add an account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="469"/>
        <source>Add a custom app…</source>
        <translation>添加自定义应用…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="470"/>
        <source>Your own system with a REST API, described in a form</source>
        <translation>用表单描述你自己的、带 REST API 的系统</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="475"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="475"/>
        <source>key: %1</source>
        <translation>代号：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="476"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="477"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="479"/>
        <source>Used by</source>
        <translation>使用它的流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="484"/>
        <source>No accounts yet. Add one, or try the built-in sandbox apps.</source>
        <translation>还没有账户。添加一个，或试试内置的沙盒应用。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="488"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="489"/>
        <source>Reconnect…</source>
        <translation>重新连接…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="490"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="504"/>
        <source>Connected.</source>
        <translation>已连接。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="525"/>
        <source>Reading accounts</source>
        <translation>正在读取账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="633"/>
        <source>The account was not removed.</source>
        <translation>账户没有删除。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="513"/>
        <source>(sandbox)</source>
        <translation>（沙盒）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="584"/>
        <source>Opening the sign-in page for %1…</source>
        <translation>正在打开 %1 的登录页面…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="589"/>
        <source>Finish signing in in your web browser; this window waits for it.</source>
        <translation>请在网页浏览器中完成登录；此窗口会等待。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="590"/>
        <source>Could not open the web browser. Open this address yourself: %1</source>
        <translation>无法打开网页浏览器。请自行打开此地址：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="595"/>
        <source>The test failed.</source>
        <translation>测试没有通过。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="603"/>
        <source>Testing %1…</source>
        <translation>正在测试 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="608"/>
        <source>Connected: the app answered.</source>
        <translation>已连接：对方应用有响应。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="626"/>
        <source>Remove the account “%1” and its keychain entries?</source>
        <translation>删除账户“%1”及其钥匙串中的凭据？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="628"/>
        <source>These recipes use it and will stop: %1</source>
        <translation>以下流程正在使用它，将会停止：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="629"/>
        <source>Remove account</source>
        <translation>删除账户</translation>
    </message>
</context>
<context>
    <name>ActionCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="677"/>
        <source>Then do this (action)</source>
        <translation>然后执行（动作）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="685"/>
        <source>Action</source>
        <translation>动作</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="688"/>
        <source>Fields to write (* required). Pick where each value comes from:</source>
        <translation>要写入的字段（* 为必填）。为每个值选择来源：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="693"/>
        <source>Test this step (dry run)</source>
        <translation>测试此步骤（试运行）</translation>
    </message>
</context>
<context>
    <name>ActivityPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="112"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="130"/>
        <source>All outcomes</source>
        <translation>全部结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="152"/>
        <source>since</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="151"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="179"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="220"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="273"/>
        <source>Recipe</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="151"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="223"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="219"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="224"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="258"/>
        <source>Re-send selected</source>
        <translation>重新发送所选</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="260"/>
        <source>Re-send all failed</source>
        <translation>全部重新发送</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="259"/>
        <source>Skip selected…</source>
        <translation>跳过所选…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="138"/>
        <source>Order number or record key</source>
        <translation>订单号或记录编号</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="157"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="402"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="158"/>
        <source>Records</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="175"/>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="177"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="226"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="180"/>
        <source>Last failed</source>
        <translation>最近失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="192"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="422"/>
        <source>Re-send all</source>
        <translation>全部重新发送</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="193"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="423"/>
        <source>Skip all…</source>
        <translation>全部跳过…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="194"/>
        <source>Show these records</source>
        <translation>查看这些记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="203"/>
        <source>No failed records. Everything that was read was delivered or filtered.</source>
        <translation>没有失败的记录。读取到的记录都已送达或被过滤。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="221"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="222"/>
        <source>record key %1</source>
        <translation>记录编号 %1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="240"/>
        <source>Select a record to see what happened at each step.</source>
        <translation>选择一条记录，查看每一步发生了什么。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="243"/>
        <source>Input record</source>
        <translation>输入的记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="272"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="274"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="277"/>
        <source>Read</source>
        <translation>读取</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="278"/>
        <source>Moved</source>
        <translation>已同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="278"/>
        <source>would move %1</source>
        <translation>将同步 %1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="280"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="281"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="297"/>
        <source>Dry run of %1: %2 read, %3 would move, %4 failed</source>
        <translation>%1 试运行：已读取 %2 条，将同步 %3 条，失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="305"/>
        <source>Dry run of %1: %2 — %3 would move (nothing written), %4 failed</source>
        <translation>%1 试运行：%2 — 将同步 %3 条（未写入任何数据），失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="365"/>
        <source>%1 record(s)</source>
        <translation>%1 条记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="402"/>
        <source>Problems (%1)</source>
        <translation>问题（%1）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="426"/>
        <source>Re-send all %1</source>
        <translation>全部重新发送（%1 条）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="427"/>
        <source>Skip all %1…</source>
        <translation>全部跳过（%1 条）…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="159"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="293"/>
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="298"/>
        <source>Running %1: %2 read, %3 moved, %4 failed</source>
        <translation>正在运行 %1：读取 %2 条，同步 %3 条，失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="306"/>
        <source>Last run of %1: %2 — %3 moved, %4 failed</source>
        <translation>%1 上次运行：%2 —— 同步 %3 条，失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="344"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="383"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="509"/>
        <source>Reading activity</source>
        <translation>正在读取活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="355"/>
        <source>All recipes</source>
        <translation>全部流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="274"/>
        <source>dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="499"/>
        <source>Next attempt: %1</source>
        <translation>下次尝试：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="525"/>
        <source>Re-sent: %1 moved, %2 still failing.</source>
        <translation>已重新发送：同步 %1 条，仍有 %2 条失败。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="442"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="545"/>
        <source>Re-sending %1 record(s)…</source>
        <translation>正在重新发送 %1 条记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="450"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="559"/>
        <source>Skip records</source>
        <translation>跳过记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="451"/>
        <source>Skip all %1 records with this problem? Say why (kept in the history):</source>
        <translation>跳过有这个问题的全部 %1 条记录？请写明原因（保存在历史中）：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="497"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="551"/>
        <source>Re-sending every failed record shown…</source>
        <translation>正在重新发送列出的全部失败记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="560"/>
        <source>Why are these records skipped? (kept in the history)</source>
        <translation>为什么跳过这些记录？（会保留在历史中）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="535"/>
        <source>%1 record(s) skipped.</source>
        <translation>已跳过 %1 条记录。</translation>
    </message>
</context>
<context>
    <name>AppContext</name>
    <message>
        <location filename="../../src/ordersync_app/gui/context.py" line="42"/>
        <source>%1: catching up on changes since %2 (paused or asleep); nothing is skipped</source>
        <translation>%1：正在补处理自 %2 以来的变更（暂停或休眠期间），不会遗漏任何记录</translation>
    </message>
</context>
<context>
    <name>ConditionRow</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="469"/>
        <source>Remove this condition</source>
        <translation>删除这个条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="483"/>
        <source>values, separated by commas</source>
        <translation>多个值，用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="484"/>
        <source>value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>CustomAppDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="62"/>
        <source>Add a custom app</source>
        <translation>添加自定义应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="67"/>
        <source>Describe your own system&apos;s REST API. OrderSync saves it as a connector file (without keys: those stay with the account), which you can share like a recipe.</source>
        <translation>描述你自己系统的 REST API。OrderSync 会把它保存为连接器文件（不含密钥：密钥保存在账户中），可以像配方一样分享。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="86"/>
        <source>Save as file…</source>
        <translation>另存为文件…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="104"/>
        <source>The app</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="106"/>
        <source>e.g. Our order system</source>
        <translation>例如 自有订单系统</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="108"/>
        <source>Recipes and templates name the app by this key (lowercase, digits, _)</source>
        <translation>配方和模板用这个标识引用该应用（小写字母、数字、_）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="109"/>
        <source>It holds orders</source>
        <translation>存放订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="109"/>
        <source>It holds customers</source>
        <translation>存放客户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="113"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="114"/>
        <source>Name in Chinese (optional)</source>
        <translation>中文名称（可选）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="115"/>
        <source>Key</source>
        <translation>标识</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="116"/>
        <source>What it holds</source>
        <translation>存放的数据</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="117"/>
        <source>Address (base URL)</source>
        <translation>地址（基础 URL）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="118"/>
        <source>Account name</source>
        <translation>账户名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="121"/>
        <source>Sign-in</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="122"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="122"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="123"/>
        <source>User name and password (Basic)</source>
        <translation>用户名和密码（Basic）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="124"/>
        <source>Bearer token</source>
        <translation>Bearer 令牌</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="125"/>
        <source>OAuth 2.0 client credentials</source>
        <translation>OAuth 2.0 客户端凭据</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="126"/>
        <source>in a header</source>
        <translation>放在请求头中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="126"/>
        <source>in the query string</source>
        <translation>放在查询参数中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="131"/>
        <source>stored in the system keychain, never in the file</source>
        <translation>保存在系统钥匙串中，绝不写入文件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="134"/>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="200"/>
        <source>Method</source>
        <translation>方式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="135"/>
        <source>Send the key</source>
        <translation>密钥发送位置</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="136"/>
        <source>Header or parameter name</source>
        <translation>请求头或参数名</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="137"/>
        <source>User name / client ID</source>
        <translation>用户名 / 客户端 ID</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="138"/>
        <source>Key, token, password or client secret</source>
        <translation>密钥、令牌、密码或客户端密钥</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="139"/>
        <source>Token address</source>
        <translation>令牌地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="143"/>
        <source>The list of records</source>
        <translation>记录列表</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="147"/>
        <source>where the list is in the answer, e.g. data (empty: the answer)</source>
        <translation>列表在响应中的位置，例如 data（留空：整个响应）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="148"/>
        <source>One page only</source>
        <translation>只有一页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="148"/>
        <source>Page numbers</source>
        <translation>页码</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="149"/>
        <source>Offset and limit</source>
        <translation>偏移量和条数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="149"/>
        <source>Next-page cursor</source>
        <translation>下一页游标</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="150"/>
        <source>Link header</source>
        <translation>Link 响应头</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="150"/>
        <source>Next-page address</source>
        <translation>下一页地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="152"/>
        <source>Fetch a sample</source>
        <translation>获取样本</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="157"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="157"/>
        <source>Sample value</source>
        <translation>样本值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="157"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="166"/>
        <source>e.g. updated_since (empty: the whole list every time)</source>
        <translation>例如 updated_since（留空：每次读取整个列表）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="167"/>
        <source>The parameter includes the time given (≥)</source>
        <translation>该参数包含所给的时间（≥）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="169"/>
        <source>The list is sorted by this field, oldest first</source>
        <translation>列表按此字段排序，最早的在前</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="171"/>
        <source>List path</source>
        <translation>列表路径</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="172"/>
        <source>Items path</source>
        <translation>条目路径</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="173"/>
        <source>Paging</source>
        <translation>分页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="174"/>
        <source>Page, offset or cursor parameter</source>
        <translation>页码、偏移量或游标参数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="175"/>
        <source>Page size parameter</source>
        <translation>每页条数参数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="176"/>
        <source>Path of the total or the next cursor/address</source>
        <translation>总数或下一页游标/地址的路径</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="179"/>
        <source>Changed-at field (cursor)</source>
        <translation>变更时间字段（游标）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="180"/>
        <source>Start parameter</source>
        <translation>起始参数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="183"/>
        <source>Record key</source>
        <translation>记录主键</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="187"/>
        <source>Write back (optional)</source>
        <translation>写回（可选）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="188"/>
        <source>No writes</source>
        <translation>不写回</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="188"/>
        <source>Update a record by its key</source>
        <translation>按主键更新记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="189"/>
        <source>Create or update a record by its key</source>
        <translation>按主键创建或更新记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="196"/>
        <source>more fields, separated by commas</source>
        <translation>更多字段，用逗号分隔</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="198"/>
        <source>GET address reading one record, e.g. /orders/{match}</source>
        <translation>读取单条记录的 GET 地址，例如 /orders/{match}</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="199"/>
        <source>Write</source>
        <translation>写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="201"/>
        <source>Address ({match} = the key)</source>
        <translation>地址（{match} = 主键）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="202"/>
        <source>Fields it sets</source>
        <translation>写入的字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="204"/>
        <source>Read address</source>
        <translation>读取地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="205"/>
        <source>Record path in the read answer</source>
        <translation>读取响应中记录的路径</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="253"/>
        <source>Calling %1…</source>
        <translation>正在调用 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="266"/>
        <source>%1 item(s), %2 field(s)</source>
        <translation>%1 条记录，%2 个字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="292"/>
        <source>Testing the app and saving it…</source>
        <translation>正在测试并保存应用…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="307"/>
        <source>Save the connector file</source>
        <translation>保存连接器文件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="309"/>
        <source>Connector files (*.yaml)</source>
        <translation>连接器文件 (*.yaml)</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/custom_app.py" line="320"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
</context>
<context>
    <name>Every</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="32"/>
        <source>every %1 h</source>
        <translation>每 %1 小时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="34"/>
        <source>every %1 min</source>
        <translation>每 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="35"/>
        <source>every %1 s</source>
        <translation>每 %1 秒</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="43"/>
        <source>on a schedule: %1 (%2)</source>
        <translation>按计划：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="55"/>
        <source>This schedule has no next run.</source>
        <translation>这个计划没有下一次运行时间。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="56"/>
        <source>Next run: %1</source>
        <translation>下次运行：%1</translation>
    </message>
</context>
<context>
    <name>Explained</name>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="22"/>
        <source>Pick a valid stage</source>
        <translation>选择有效的阶段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="23"/>
        <source>Open the recipe at this field</source>
        <translation>打开流程中的这个字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="24"/>
        <source>Open the recipe</source>
        <translation>打开流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="25"/>
        <source>Reconnect account</source>
        <translation>重新连接账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="26"/>
        <source>Unlock the password store</source>
        <translation>解锁密码库</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="27"/>
        <source>Re-send</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="28"/>
        <source>Open the log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="36"/>
        <source>Something went wrong inside OrderSync; see the log file.</source>
        <translation>OrderSync 内部出错了；请查看日志文件。</translation>
    </message>
</context>
<context>
    <name>ExplanationPanel</name>
    <message>
        <location filename="../../src/ordersync_app/gui/explained.py" line="74"/>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
</context>
<context>
    <name>FieldPicker</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="122"/>
        <source>Choose a field…</source>
        <translation>选择字段…</translation>
    </message>
</context>
<context>
    <name>FieldPopup</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="39"/>
        <source>Search fields, paths or sample values</source>
        <translation>搜索字段、路径或样例值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="44"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="45"/>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="47"/>
        <source>Sample value</source>
        <translation>样例值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/picker.py" line="70"/>
        <source>No field matches. Press Enter to use “%1” as a field path.</source>
        <translation>没有匹配的字段。按回车把“%1”用作字段路径。</translation>
    </message>
</context>
<context>
    <name>FilterCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="519"/>
        <source>Only continue if (filter)</source>
        <translation>仅在满足条件时继续（过滤）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="521"/>
        <source>all conditions hold</source>
        <translation>满足所有条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="522"/>
        <source>any condition holds</source>
        <translation>满足任一条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="524"/>
        <source>Continue when</source>
        <translation>继续的条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="529"/>
        <source>Add condition</source>
        <translation>添加条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="578"/>
        <source>✓ The sample record passes.</source>
        <translation>✓ 样例记录通过。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="579"/>
        <source>✗ The sample record is filtered out.</source>
        <translation>✗ 样例记录被过滤掉。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="43"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="45"/>
        <source>Start here</source>
        <translation>从这里开始</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="46"/>
        <source>Connect your shop and your CRM, pick a ready-made recipe, preview what it would write, then switch it on. It takes a few minutes; the sandbox lets you try it with demo data first.</source>
        <translation>连接店铺和 CRM，选一个现成的流程，预览它会写入什么，然后开启。只需几分钟；也可以先用沙盒的演示数据试一试。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="51"/>
        <source>Open the guide</source>
        <translation>打开向导</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="59"/>
        <source>recipes switched on</source>
        <translation>个流程已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="60"/>
        <source>records moved today</source>
        <translation>条记录今日已同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="61"/>
        <source>success rate, last 7 days</source>
        <translation>成功率（最近 7 天）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="62"/>
        <source>failed records need attention</source>
        <translation>条失败记录需要处理</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="66"/>
        <source>Service level: each recipe against its targets</source>
        <translation>服务水平：各流程与其目标的对比</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="78"/>
        <source>Open the failed queue</source>
        <translation>打开失败队列</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="85"/>
        <source>Last run of each recipe</source>
        <translation>各流程的上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="87"/>
        <source>Recipe</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="88"/>
        <source>Last run</source>
        <translation>上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="89"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="90"/>
        <source>Moved / failed</source>
        <translation>同步 / 失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="94"/>
        <source>This week (green: moved, red: failed)</source>
        <translation>本周（绿色：已同步，红色：失败）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="108"/>
        <source>%1 (dry run: nothing written)</source>
        <translation>%1（试运行：未写入）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="114"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="121"/>
        <source>Reading the health summary</source>
        <translation>正在读取运行概况</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="140"/>
        <source>%1 waiting: %2</source>
        <translation>%1 条等待处理：%2</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="163"/>
        <source>Measured over the last %1 day(s); the time runs from a record&apos;s change in the source to its write in the target.</source>
        <translation>按最近 %1 天统计；时间从记录在来源中变更算起，到写入目标为止。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="195"/>
        <source>95 % written within %1 (target ≤ %2 s)</source>
        <translation>95 % 在 %1内写入（目标 ≤ %2 秒）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="187"/>
        <source>success %1 (target ≥ %2 %)</source>
        <translation>成功率 %1（目标 ≥ %2 %）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="201"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="203"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="205"/>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="207"/>
        <source>%1 d</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="212"/>
        <source>below target</source>
        <translation>未达标</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="213"/>
        <source>on target</source>
        <translation>已达标</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="213"/>
        <source>no records yet</source>
        <translation>暂无记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="112"/>
        <source>not run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="116"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="88"/>
        <source>%1 account</source>
        <translation>%1 账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="97"/>
        <source>Import a recipe</source>
        <translation>导入流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="112"/>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="171"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="122"/>
        <source>This file is not a valid recipe:</source>
        <translation>这个文件不是有效的流程：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="143"/>
        <source>orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="145"/>
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="148"/>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="139"/>
        <source>(no %1 account yet — add one in Accounts)</source>
        <translation>（还没有 %1 账户 —— 请先在“账户”中添加）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="154"/>
        <source>Switch it on after importing</source>
        <translation>导入后立即开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="168"/>
        <source>A recipe with this short name exists; importing replaces it with this file (as a new version). Change the short name to import it beside it.</source>
        <translation>已有同一简称的流程；导入会用这个文件替换它（作为新版本）。如要并存，请修改简称。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="171"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="187"/>
        <source>Add an account for: %1</source>
        <translation>请为以下角色添加账户：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="190"/>
        <source>Choose where the recipe starts.</source>
        <translation>请选择流程的起点。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="202"/>
        <source>Imported “%1”.</source>
        <translation>已导入“%1”。</translation>
    </message>
</context>
<context>
    <name>LookupCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="595"/>
        <source>Look up (find something in another app)</source>
        <translation>查找（在另一个应用中查找）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="598"/>
        <source>Lookup</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="601"/>
        <source>Name of the result</source>
        <translation>结果名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="603"/>
        <source>the record fails (failed queue)</source>
        <translation>记录失败（进入失败队列）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="604"/>
        <source>skip the record</source>
        <translation>跳过该记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="605"/>
        <source>When nothing is found</source>
        <translation>找不到时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="606"/>
        <source>Test this step</source>
        <translation>测试此步骤</translation>
    </message>
</context>
<context>
    <name>LookupTableEditor</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="227"/>
        <source>Add row</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="228"/>
        <source>Remove row</source>
        <translation>删除一行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="235"/>
        <source>Otherwise write</source>
        <translation>否则写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="245"/>
        <source>Without a default, a value that is not in the table makes the record fail.</source>
        <translation>没有默认值时，表中没有的值会使记录失败。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="258"/>
        <source>Allowed values: %1</source>
        <translation>允许的值：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="85"/>
        <source>OrderSync — orders to CRM, in sync</source>
        <translation>OrderSync —— 订单与 CRM 保持同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="98"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="98"/>
        <source>Recipes</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="98"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="99"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="99"/>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="100"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="173"/>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="174"/>
        <source>The recipe has changes that are not saved.</source>
        <translation>这个流程有尚未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="175"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="176"/>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="177"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="245"/>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="276"/>
        <source>Reading accounts</source>
        <translation>正在读取账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="307"/>
        <source>Only recipe files (.yaml, .yml, .json) can be dropped here.</source>
        <translation>这里只能拖入流程文件（.yaml、.yml、.json）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="325"/>
        <source>OrderSync keeps syncing in the system tray.</source>
        <translation>OrderSync 会在系统托盘中继续同步。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="328"/>
        <source>Still running</source>
        <translation>仍在运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="329"/>
        <source>OrderSync keeps syncing in the background. Use the tray icon to open it or quit.</source>
        <translation>OrderSync 会在后台继续同步。可通过托盘图标打开或退出。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="345"/>
        <source>Keep syncing?</source>
        <translation>继续同步吗？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="346"/>
        <source>This desktop has no system tray, so closing the window stops syncing: switched-on recipes will not run until OrderSync is opened again.

OrderSync can keep a background worker running instead; it syncs without a window until you open OrderSync again or restart the computer.</source>
        <translation>这个桌面没有系统托盘，关闭窗口会停止同步：已开启的流程在再次打开 OrderSync 之前都不会运行。

OrderSync 可以改为保留一个后台进程；它无需窗口即可同步，直到你再次打开 OrderSync 或重启电脑。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="352"/>
        <source>Accounts with passwords need the password store: without a system keychain the background worker can only open it when ORDERSYNC_KEYRING_PASSPHRASE is set for it.</source>
        <translation>带密码的账户需要使用密码库：没有系统钥匙串时，只有为后台进程设置了 ORDERSYNC_KEYRING_PASSPHRASE，它才能打开密码库。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="355"/>
        <source>Keep syncing in the background</source>
        <translation>在后台继续同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="356"/>
        <source>Quit and stop syncing</source>
        <translation>退出并停止同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="357"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/app.py" line="194"/>
        <source>No system tray on this desktop: OrderSync runs while this window is open.</source>
        <translation>此桌面没有系统托盘：OrderSync 仅在窗口打开时运行。</translation>
    </message>
</context>
<context>
    <name>Mapping</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="68"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="81"/>
        <source>Separator</source>
        <translation>分隔符</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="82"/>
        <source>Which part (0 = first, -1 = last)</source>
        <translation>取第几段（0 为第一段，-1 为最后一段）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="83"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="84"/>
        <source>Replace with</source>
        <translation>替换为</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="85"/>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="86"/>
        <source>Multiply by</source>
        <translation>乘以</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="87"/>
        <source>Add (negative to subtract)</source>
        <translation>加上（负数为减去）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="88"/>
        <source>Keep at most (characters)</source>
        <translation>最多保留（字符数）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="89"/>
        <source>Decimal places</source>
        <translation>小数位数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="90"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="91"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="92"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="100"/>
        <source>comma and space  “, ”</source>
        <translation>逗号加空格  “, ”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="101"/>
        <source>comma  “,”</source>
        <translation>逗号  “,”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="102"/>
        <source>space  “ ”</source>
        <translation>空格  “ ”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="103"/>
        <source>hyphen  “-”</source>
        <translation>连字符  “-”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="104"/>
        <source>slash  “/”</source>
        <translation>斜杠  “/”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="105"/>
        <source>vertical bar  “|”</source>
        <translation>竖线  “|”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="106"/>
        <source>semicolon  “;”</source>
        <translation>分号  “;”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="107"/>
        <source>Chinese comma  “，”</source>
        <translation>中文逗号  “，”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="151"/>
        <source>When the value is</source>
        <translation>当值为</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="152"/>
        <source>Write</source>
        <translation>写入</translation>
    </message>
</context>
<context>
    <name>MappingEditor</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="544"/>
        <source>From field</source>
        <translation>来自字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="545"/>
        <source>Fixed value</source>
        <translation>固定值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="546"/>
        <source>Text with {fields}</source>
        <translation>含 {字段} 的文本</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="553"/>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="681"/>
        <source>Transforms…</source>
        <translation>转换…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="671"/>
        <source>e.g. Shipped {name} to {shippingAddress.city}</source>
        <translation>例如：订单 {name} 已发往 {shippingAddress.city}</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="694"/>
        <source>“%1” is not one of the allowed values</source>
        <translation>“%1”不是允许的值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="697"/>
        <source>Allowed values: %1</source>
        <translation>允许的值：%1</translation>
    </message>
</context>
<context>
    <name>OnboardingGuide</name>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="102"/>
        <source>Welcome to OrderSync</source>
        <translation>欢迎使用 OrderSync</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="106"/>
        <source>Skip the guide</source>
        <translation>跳过向导</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="110"/>
        <source>Five steps, a few minutes: OrderSync will then keep your CRM in step with your orders by itself.</source>
        <translation>五个步骤，几分钟：之后 OrderSync 会自动让 CRM 与订单保持一致。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="117"/>
        <source>Your shop</source>
        <translation>店铺</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="117"/>
        <source>Your CRM</source>
        <translation>CRM</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="117"/>
        <source>A recipe</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="118"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="118"/>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="237"/>
        <source>Go live</source>
        <translation>正式运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="150"/>
        <source>Connect %1…</source>
        <translation>连接 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="156"/>
        <source>1. Connect your shop</source>
        <translation>1. 连接店铺</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="157"/>
        <source>Where do your orders come from? OrderSync reads orders there; it never changes them unless a recipe says so.</source>
        <translation>订单来自哪里？OrderSync 从那里读取订单；除非流程要求，否则绝不修改它们。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="161"/>
        <source>Try everything with the sandbox (a demo shop and CRM)</source>
        <translation>用沙盒试用全部功能（演示店铺和 CRM）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="164"/>
        <source>The sandbox runs on this computer with demo orders: nothing real is read or written.</source>
        <translation>沙盒在这台电脑上运行，使用演示订单：不会读取或写入任何真实数据。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="167"/>
        <source>Or, without any account:</source>
        <translation>或者，不用任何账户：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="173"/>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="191"/>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="180"/>
        <source>2. Connect your CRM</source>
        <translation>2. 连接 CRM</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="181"/>
        <source>Where should orders show up? OrderSync writes there, once per change.</source>
        <translation>订单要显示在哪里？OrderSync 会写到那里，每个变化只写一次。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="183"/>
        <source>Use the sandbox CRM</source>
        <translation>使用沙盒 CRM</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="189"/>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="211"/>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="235"/>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="198"/>
        <source>3. Pick a recipe</source>
        <translation>3. 选择流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="199"/>
        <source>A recipe says what happens when: “when an order ships, move its deal to Shipped”. Start from a ready-made one; you can change it later in the builder.</source>
        <translation>流程说明在什么时候做什么：“订单发货时，把对应的交易移到‘已发货’”。先从现成的开始，以后可以在编辑器里修改。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="205"/>
        <source>Which orders should it handle?</source>
        <translation>要处理哪些订单？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="208"/>
        <source>orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="213"/>
        <source>Preview what it would do</source>
        <translation>预览它会做什么</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="221"/>
        <source>4. Preview (dry run)</source>
        <translation>4. 预览（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="222"/>
        <source>OrderSync read your orders and worked out what it would write. Nothing has been written yet.</source>
        <translation>OrderSync 读取了你的订单，并算出了会写入的内容。目前还没有写入任何数据。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="229"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="230"/>
        <source>Would change</source>
        <translation>将会修改</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="244"/>
        <source>5. It is on</source>
        <translation>5. 已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="245"/>
        <source>The recipe is switched on and writes for real now. OrderSync checks for changes on its schedule while this app (or its background worker) runs; Activity shows every record and explains any problem.</source>
        <translation>流程已开启，现在会真实写入。只要本应用（或其后台进程）在运行，OrderSync 就会按计划检查变化；“活动”页列出每条记录并解释任何问题。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="251"/>
        <source>Open Activity</source>
        <translation>打开“活动”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="254"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="264"/>
        <source>nothing (already up to date)</source>
        <translation>无（已经是最新）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="284"/>
        <source>Reading templates</source>
        <translation>正在读取模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="292"/>
        <source>Reading accounts</source>
        <translation>正在读取账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="299"/>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="300"/>
        <source>Connected: %1</source>
        <translation>已连接：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="316"/>
        <source>Setting up the sandbox shop and CRM with demo orders…</source>
        <translation>正在准备沙盒店铺和 CRM 及演示订单…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="363"/>
        <source>No ready-made recipe fits the connected apps yet; build one in Recipes.</source>
        <translation>还没有适合已连接应用的现成流程；请在“流程”中新建一个。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="392"/>
        <source>Reading your orders and working out what would change (nothing is written)…</source>
        <translation>正在读取订单并计算会发生的变化（不会写入任何数据）…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/onboarding.py" line="437"/>
        <source>“%1” is switched on and checks %2.</source>
        <translation>“%1”已开启，%2检查一次。</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="28"/>
        <source>Unlock the password store</source>
        <translation>解锁密码库</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="32"/>
        <source>This computer has no system keychain, so OrderSync keeps account passwords and tokens in an encrypted file. Choose a passphrase for it; you will type it when OrderSync starts. It cannot be recovered, so keep it safe.</source>
        <translation>这台电脑没有系统钥匙串，OrderSync 会把账户密码和令牌保存在一个加密文件里。请为它设置一个口令；以后启动 OrderSync 时需要输入。口令无法找回，请妥善保管。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="36"/>
        <source>OrderSync keeps account passwords and tokens in an encrypted file on this computer. Type its passphrase to use them.</source>
        <translation>OrderSync 把账户密码和令牌保存在这台电脑上的加密文件里。输入口令后才能使用。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="48"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="52"/>
        <source>Type it again</source>
        <translation>再输入一次</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="67"/>
        <source>Type a passphrase.</source>
        <translation>请输入口令。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="70"/>
        <source>The two passphrases differ.</source>
        <translation>两次输入的口令不一致。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="73"/>
        <source>Unlocking…</source>
        <translation>正在解锁…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="78"/>
        <source>This passphrase does not open the password store.</source>
        <translation>这个口令无法打开密码库。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/passphrase.py" line="94"/>
        <source>Password store</source>
        <translation>密码库</translation>
    </message>
</context>
<context>
    <name>RecipeBuilder</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="84"/>
        <source>← Recipes</source>
        <translation>← 流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="86"/>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="301"/>
        <source>New recipe</source>
        <translation>新建流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="94"/>
        <source>What does it do? e.g. Shipped orders move HubSpot deals</source>
        <translation>它做什么？例如：已发货订单更新 HubSpot 交易</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="96"/>
        <source>short-name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="98"/>
        <source>Letters, digits and &apos;-&apos;; used in file names and by the command line.</source>
        <translation>字母、数字和“-”；用于文件名和命令行。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="100"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="102"/>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="107"/>
        <source>A sentence for whoever reads this recipe later (optional)</source>
        <translation>给以后阅读这个流程的人写一句说明（可选）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="108"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="120"/>
        <source>+ Filter</source>
        <translation>+ 过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="121"/>
        <source>Adds a filter before the first action, where it can stop records.</source>
        <translation>在第一个动作之前添加过滤，这样才能拦下记录。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="122"/>
        <source>+ Lookup</source>
        <translation>+ 查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="123"/>
        <source>Adds a lookup before the first action, so the action can use it.</source>
        <translation>在第一个动作之前添加查找，这样动作才能用到它的结果。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="124"/>
        <source>+ Action</source>
        <translation>+ 动作</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="131"/>
        <source>Switch on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="132"/>
        <source>Dry run (preview, write nothing)</source>
        <translation>试运行（只预览，不写入）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="133"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="167"/>
        <source>+ Add a step here</source>
        <translation>+ 在这里添加步骤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="171"/>
        <source>Filter: only continue if…</source>
        <translation>过滤：满足条件才继续…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="172"/>
        <source>Lookup: find something in another app</source>
        <translation>查找：在另一个应用中查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="173"/>
        <source>Action: do something in another app</source>
        <translation>动作：在另一个应用中执行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="301"/>
        <source>Edit recipe</source>
        <translation>编辑流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="306"/>
        <source>Opening the recipe</source>
        <translation>正在打开流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="361"/>
        <source>This recipe uses %1, which the builder does not edit yet. Export it, edit the file and import it again (Recipes → Import).</source>
        <translation>这个流程用到了%1，可视化编辑器暂时还不能编辑这些内容。请导出后编辑文件，再重新导入（流程 → 导入）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="381"/>
        <source>Pick one of the allowed values here.</source>
        <translation>请在这里选择一个允许的值。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="409"/>
        <source>Pick an account first (or add one in Accounts).</source>
        <translation>请先选择账户（或在“账户”中添加）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="414"/>
        <source>Loading sample records…</source>
        <translation>正在加载样例记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="436"/>
        <source>✓ %1 sample record(s) loaded from the account.</source>
        <translation>✓ 已从账户加载 %1 条样例记录。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="439"/>
        <source>Using example values: the account gave no records yet.</source>
        <translation>正在使用示例值：账户中还没有记录。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="486"/>
        <source>No record in the target has the value “%1” to match on; check the field used to match.</source>
        <translation>目标中没有匹配值为“%1”的记录；请检查用于匹配的字段。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="582"/>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="599"/>
        <source>Give the recipe a name.</source>
        <translation>请给流程起个名字。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="589"/>
        <source>Pick an account (add one in Accounts first).</source>
        <translation>请选择账户（先在“账户”中添加）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="596"/>
        <source>“%1” is not one of the values %2 accepts here: pick one from the list.</source>
        <translation>“%1”不是 %2 在此处接受的值：请从列表中选择。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="635"/>
        <source>orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="453"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="457"/>
        <source>Nothing found for %1.</source>
        <translation>没有找到 %1。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="460"/>
        <source>✓ Found: %1</source>
        <translation>✓ 找到：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="475"/>
        <source>Testing (nothing is written)…</source>
        <translation>正在测试（不会写入任何内容）…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="489"/>
        <source>%1: %2 → %3</source>
        <translation>%1：%2 → %3</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="492"/>
        <source>✓ The target already has these values.</source>
        <translation>✓ 目标已经是这些值。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="657"/>
        <source>The trigger changed</source>
        <translation>触发条件已更改</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="686"/>
        <source>Saved version %1 (%2).</source>
        <translation>已保存第 %1 版（%2）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="687"/>
        <source>switched on</source>
        <translation>已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="687"/>
        <source>switched off</source>
        <translation>已关闭</translation>
    </message>
</context>
<context>
    <name>RecipesPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="79"/>
        <source>Recipes</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="80"/>
        <source>New recipe</source>
        <translation>新建流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="83"/>
        <source>Import file…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="88"/>
        <source>Recipe</source>
        <translation>流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="93"/>
        <source>Switched on</source>
        <translation>已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="94"/>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="95"/>
        <source>Last run</source>
        <translation>上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="96"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="103"/>
        <source>No recipes yet. Start from a template, import a file, or build one.</source>
        <translation>还没有流程。从模板开始、导入文件，或自己搭建一个。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="108"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="109"/>
        <source>Run now</source>
        <translation>立即运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="112"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="191"/>
        <source>Switch on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="113"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="192"/>
        <source>Dry run on</source>
        <translation>开启试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="114"/>
        <source>Export / share…</source>
        <translation>导出 / 分享…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="115"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="323"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="163"/>
        <source>Reading recipes</source>
        <translation>正在读取流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="144"/>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="144"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="143"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="89"/>
        <source>How often</source>
        <translation>检查间隔</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="94"/>
        <source>dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="94"/>
        <source>live</source>
        <translation>正式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="152"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="91"/>
        <source>Missed runs (sleep, downtime) are combined into one that runs as soon as possible, up to 1 hour late; each run reads from where the last one stopped, so nothing is skipped.</source>
        <translation>错过的运行（休眠、停机）会合并为一次，尽快执行，最多延迟 1 小时；每次运行都从上次停下的位置读取，因此不会遗漏。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="110"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="111"/>
        <source>Stop the running run after its current page and pause the recipe</source>
        <translation>在处理完当前这一页后停止正在进行的运行，并暂停这个流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="191"/>
        <source>Switch off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="192"/>
        <source>Go live</source>
        <translation>正式运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="198"/>
        <source>Paused: %1</source>
        <translation>已暂停：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="218"/>
        <source>Stopping: the run ends after its current page, and the recipe is paused.</source>
        <translation>正在停止：运行会在处理完当前这一页后结束，流程已暂停。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="219"/>
        <source>The recipe is not running; it is paused.</source>
        <translation>这个流程当前没有在运行；已将其暂停。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="245"/>
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="280"/>
        <source>%1 records read so far, %2 would move (dry run)</source>
        <translation>已读取 %1 条记录，将同步 %2 条（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="281"/>
        <source>%1 records read so far, %2 moved</source>
        <translation>已读取 %1 条记录，已同步 %2 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="289"/>
        <source>Switching</source>
        <translation>正在切换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="295"/>
        <source>Dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="301"/>
        <source>Export recipe</source>
        <translation>导出流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="302"/>
        <source>Recipe files (*.yaml *.yml)</source>
        <translation>流程文件 (*.yaml *.yml)</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="313"/>
        <source>Saved %1 (no accounts or secrets inside).</source>
        <translation>已保存 %1（不含账户和密钥）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="313"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="319"/>
        <source>Remove recipe</source>
        <translation>删除流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="320"/>
        <source>Remove “%1” and its history?</source>
        <translation>删除“%1”及其历史记录？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="326"/>
        <source>Import recipe</source>
        <translation>导入流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="327"/>
        <source>Recipe files (*.yaml *.yml *.json)</source>
        <translation>流程文件 (*.yaml *.yml *.json)</translation>
    </message>
</context>
<context>
    <name>SchedulerHost</name>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="54"/>
        <source>Updating the schedule</source>
        <translation>正在更新计划</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="80"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="81"/>
        <source>Running switched-on recipes on their schedules in this app.</source>
        <translation>正在本应用中按计划运行已开启的流程。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="82"/>
        <source>Paused: no scheduled runs until you resume.</source>
        <translation>已暂停：恢复之前不会按计划运行。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="83"/>
        <source>Another OrderSync (app or worker) already schedules these recipes.</source>
        <translation>另一个 OrderSync（应用或后台进程）已经在调度这些流程。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="84"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="26"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="31"/>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="36"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="37"/>
        <source>Start OrderSync when I log in</source>
        <translation>登录时启动 OrderSync</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="40"/>
        <source>Start-up</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="42"/>
        <source>Keep running in the system tray when the window is closed</source>
        <translation>关闭窗口后在系统托盘中继续运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="49"/>
        <source>This desktop has no system tray. When you close the window, OrderSync asks whether to keep syncing in the background.</source>
        <translation>这个桌面没有系统托盘。关闭窗口时，OrderSync 会询问是否在后台继续同步。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="51"/>
        <source>Background</source>
        <translation>后台</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="54"/>
        <source>Scheduler</source>
        <translation>调度</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="57"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="65"/>
        <source>Not running in this window.</source>
        <translation>未在此窗口中运行。</translation>
    </message>
</context>
<context>
    <name>StartPointChooser</name>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="41"/>
        <source>orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="43"/>
        <source>From now on</source>
        <translation>从现在开始</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="44"/>
        <source>Only %1 that change after you save count. The past is left alone, so a first test may find nothing to do.</source>
        <translation>只处理保存之后发生变化的%1。过去的不动，所以第一次试运行可能没有要处理的。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="46"/>
        <source>Everything already there</source>
        <translation>包括已有的全部</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="47"/>
        <source>Every matching %1 in the app is processed, old ones included. Preview with a dry run first.</source>
        <translation>应用中所有符合条件的%1都会处理，包括旧的。请先用试运行预览。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="49"/>
        <source>From a date</source>
        <translation>从某个日期开始</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="50"/>
        <source>%1 that changed since the chosen day.</source>
        <translation>所选日期之后发生变化的%1。</translation>
    </message>
</context>
<context>
    <name>StartPointDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="100"/>
        <source>Where should this recipe start?</source>
        <translation>这个流程从何时开始？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/startpoint.py" line="103"/>
        <source>Choose which changes this recipe handles. This is set once, when it is first saved.</source>
        <translation>选择这个流程处理哪些变化。只在第一次保存时设置一次。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="26"/>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="27"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="28"/>
        <source>retrying</source>
        <translation>等待重试</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="29"/>
        <source>filtered out</source>
        <translation>已过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="30"/>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="31"/>
        <source>unchanged</source>
        <translation>无变化</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="32"/>
        <source>previewed (dry run)</source>
        <translation>已预览（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="33"/>
        <source>not previewed (dry run)</source>
        <translation>未预览（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="34"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="35"/>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="36"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="37"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="38"/>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="39"/>
        <source>reconnect needed</source>
        <translation>需要重新连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="40"/>
        <source>needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="41"/>
        <source>not tested yet</source>
        <translation>尚未测试</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="42"/>
        <source>in progress</source>
        <translation>处理中</translation>
    </message>
</context>
<context>
    <name>StepCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="116"/>
        <source>Move this step up</source>
        <translation>上移这一步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="119"/>
        <source>Move this step down</source>
        <translation>下移这一步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="141"/>
        <source>Move it above the action</source>
        <translation>移到动作之前</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="156"/>
        <source>Remove step</source>
        <translation>删除步骤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="168"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="170"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="203"/>
        <source>(no account yet — add one in Accounts)</source>
        <translation>（还没有账户 —— 请先在“账户”中添加）</translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="54"/>
        <source>Filter</source>
        <translation>过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="55"/>
        <source>Lookup</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="56"/>
        <source>Action</source>
        <translation>动作</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="59"/>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="60"/>
        <source>filtered out</source>
        <translation>被过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="61"/>
        <source>found</source>
        <translation>已找到</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="62"/>
        <source>nothing found</source>
        <translation>没有找到</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="63"/>
        <source>nothing found, record skipped</source>
        <translation>没有找到，已跳过这条记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="64"/>
        <source>written</source>
        <translation>已写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="65"/>
        <source>already written before</source>
        <translation>之前已写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="66"/>
        <source>written earlier (checked in the target)</source>
        <translation>之前已写入（已在目标中核对）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="67"/>
        <source>the target already had these values</source>
        <translation>目标中已经是这些值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="68"/>
        <source>refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="69"/>
        <source>could not compute a value</source>
        <translation>无法算出值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="70"/>
        <source>will be retried</source>
        <translation>将会重试</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="71"/>
        <source>would write (dry run)</source>
        <translation>将会写入（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="72"/>
        <source>would change nothing (dry run)</source>
        <translation>不会有任何改变（试运行）</translation>
    </message>
</context>
<context>
    <name>TemplatesPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="221"/>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="222"/>
        <source>Ready-made recipes. Pick one, choose your accounts, and it is ready to switch on. You can also drop a recipe file anywhere on this window.</source>
        <translation>现成的流程。选一个、选好账户，就可以开启。也可以把流程文件拖到本窗口任意位置。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="227"/>
        <source>Import file…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="245"/>
        <source>Reading templates</source>
        <translation>正在读取模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="262"/>
        <source>Needs: %1</source>
        <translation>需要：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="266"/>
        <source>First add your own system as a custom app with the key %1 (Accounts → Add a custom app…).</source>
        <translation>请先把你自己的系统添加为自定义应用，标识为 %1（账户 → 添加自定义应用…）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="271"/>
        <source>Use this template</source>
        <translation>使用此模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="286"/>
        <source>Import recipe</source>
        <translation>导入流程</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="287"/>
        <source>Recipe files (*.yaml *.yml *.json)</source>
        <translation>流程文件 (*.yaml *.yml *.json)</translation>
    </message>
</context>
<context>
    <name>TransformChainDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="305"/>
        <source>Transforms for “%1”</source>
        <translation>“%1”的转换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="306"/>
        <source>Transforms</source>
        <translation>转换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="312"/>
        <source>Transforms change the value step by step, top to bottom. Add one from the list, fill in its settings on the right, and check the preview below.</source>
        <translation>转换按从上到下的顺序逐步改变值。从列表中添加一个转换，在右侧填写设置，并在下方查看预览。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="330"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="332"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="334"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="336"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="363"/>
        <source>No transform yet: the value is written as it is.</source>
        <translation>还没有转换：值按原样写入。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="463"/>
        <source>other  “%1”</source>
        <translation>其他  “%1”</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="483"/>
        <source>the text to find</source>
        <translation>要查找的文字</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="483"/>
        <source>(nothing: remove it)</source>
        <translation>（留空：删除它）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="484"/>
        <source>e.g. ORD-</source>
        <translation>例如 ORD-</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="505"/>
        <source>Sample value: %1</source>
        <translation>样例值：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="510"/>
        <source>“%1” is not one of the allowed values</source>
        <translation>“%1”不是允许的值</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="39"/>
        <source>Open OrderSync</source>
        <translation>打开 OrderSync</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="40"/>
        <source>Run all now</source>
        <translation>立即全部运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="41"/>
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="46"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="67"/>
        <source>Reading the health summary</source>
        <translation>正在读取运行概况</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="75"/>
        <source>OrderSync: syncing normally</source>
        <translation>OrderSync：同步正常</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="76"/>
        <source>OrderSync: %1 failed record(s) need attention</source>
        <translation>OrderSync：%1 条失败记录需要处理</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="77"/>
        <source>OrderSync: paused</source>
        <translation>OrderSync：已暂停</translation>
    </message>
</context>
<context>
    <name>TriggerCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="244"/>
        <source>1. When this happens (trigger)</source>
        <translation>1. 当发生这件事时（触发器）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="245"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="247"/>
        <source>every 10 seconds</source>
        <translation>每 10 秒</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="247"/>
        <source>every 30 seconds</source>
        <translation>每 30 秒</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="248"/>
        <source>every minute</source>
        <translation>每分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="248"/>
        <source>every 5 minutes</source>
        <translation>每 5 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="249"/>
        <source>every 15 minutes</source>
        <translation>每 15 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="249"/>
        <source>every hour</source>
        <translation>每小时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="250"/>
        <source>on a schedule (cron)…</source>
        <translation>按定时计划（cron）…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="257"/>
        <source>Five fields: minute, hour, day of the month, month, day of the week (0 and 7 are Sunday). 0 2 1 * * runs at 02:00 on the 1st of every month.</source>
        <translation>五个字段：分钟、小时、日、月、星期（0 和 7 表示星期日）。0 2 1 * * 表示每月 1 日 02:00 运行。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="268"/>
        <source>Cron</source>
        <translation>定时表达式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="269"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="273"/>
        <source>from now on</source>
        <translation>从现在开始</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="274"/>
        <source>everything, including the past</source>
        <translation>全部，包括过去的</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="275"/>
        <source>from a date…</source>
        <translation>从某个日期开始…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="285"/>
        <source>Check</source>
        <translation>检查频率</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="288"/>
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="289"/>
        <source>Load sample</source>
        <translation>加载样例</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="337"/>
        <source>This schedule has no next run.</source>
        <translation>这个计划没有下一次运行时间。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="340"/>
        <source>Next run: %1 (%2)</source>
        <translation>下次运行：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="342"/>
        <source>%1, %2 on this computer</source>
        <translation>%1，即本机时间 %2</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="406"/>
        <source>Sample %1: %2</source>
        <translation>样例 %1：%2</translation>
    </message>
</context>
</TS>
